/**
 * Keeps each registered provider's NodeProvider and NodeTypes in step: validates the NodeProvider
 * `spec` against the plugin's manifest schema, hands it to `configure()`, publishes NodeTypes from
 * `nodeTypes()` and reports NodeProvider status. A bad spec fails the NodeProvider (condition and
 * Warning Event naming the field) and touches nothing else: the last good configuration keeps
 * serving and existing NodeTypes keep their state. Refreshes on NodeProvider, NodeClaim and NodeType
 * changes, when a plugin says its node types changed (PluginHost.nodeTypesChanged), and on a periodic
 * resync: every reason is one key of the host's work queue, scheduled `debounceMs` ahead, so a burst
 * runs one sync (and a change during a sync runs one more after it). It watches none of a provider's
 * own objects.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { isInvalidConfiguration, type Clock, type EventRecorder, type Logger, type NodeProviderSpec, type NodeTypeView } from '../../plugin/contract.js';
import type { ProviderDirectory } from '../deps.js';
import { describeSpecProblems, validateProviderSpec } from '../host/specValidation.js';
import type { ResourceInformer } from '../runtime/informer.js';
import { startPlatformInformer } from '../runtime/platformInformer.js';
import { withConditions, type Condition, type ConditionUpdate } from '../runtime/conditions.js';
import { sameJson } from '../runtime/sameJson.js';
import { WorkQueue } from '../runtime/workQueue.js';
import { MANAGED_BY_LABEL, desiredNodeType, desiredStatus, type NodeTypeObject } from './nodeTypeObject.js';
import { GROUP, NODECLAIMS, NODEPROVIDERS, NODETYPES, VERSION } from '../runtime/apis.js';
import { NodeTypeStore } from './store.js';

export interface ProviderCatalog extends ProviderDirectory {
  /** The serving version's config schema for `name`. */
  configSchema(name: string): Record<string, unknown> | undefined;
}

export interface NodeTypeControllerDeps {
  kubeConfig: KubeConfig;
  providers: ProviderCatalog;
  events: EventRecorder;
  logger: Logger;
  clock: Clock;
  capacityMetrics?: { setNodeTypeCapacity(type: string, c: { total: number; claimed: number }): void; removeNodeType(type: string): void };
  /** Full refresh period. Default 10 s. */
  resyncMs?: number;
  /** Coalesces bursts of watch events. Default 200 ms. */
  debounceMs?: number;
}

export interface InformerCache {
  nodeClaims(): KubernetesObject[];
  nodeTypes(): (NodeTypeObject & KubernetesObject)[];
  watch(fn: () => void): () => void;
}

/** The queue's one key: a sync covers every provider. */
const SYNC_ALL = 'all-providers';

interface NodeProviderObject extends KubernetesObject {
  spec?: NodeProviderSpec;
  status?: { phase?: string; reason?: string; message?: string; conditions?: Condition[] };
}

export class NodeTypeController {
  private readonly store: NodeTypeStore;
  private readonly log: Logger;
  private informers: ResourceInformer<KubernetesObject>[] = [];
  private providerInformer: ResourceInformer<NodeProviderObject> | undefined;
  private nodeTypeInformer: ResourceInformer<NodeTypeObject & KubernetesObject> | undefined;
  private readonly queue: WorkQueue;
  private resync: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Per provider: the spec last applied with configure(), and the last problem reported. */
  private readonly configured = new Map<string, string>();
  private readonly reported = new Map<string, string>();
  private claimInformer: ResourceInformer<KubernetesObject> | undefined;
  private readonly watchers = new Set<() => void>();

  constructor(private readonly deps: NodeTypeControllerDeps) {
    this.store = new NodeTypeStore(deps.kubeConfig);
    this.log = deps.logger.child({ controller: 'nodetypes' });
    // syncAll logs and swallows a provider's failure (retried on the next change or resync), so the queue's error backoff never applies.
    this.queue = new WorkQueue(() => this.syncNow(), { concurrency: 1 });
  }

  async start(): Promise<void> {
    const onChange = () => this.schedule();
    const common = { kubeConfig: this.deps.kubeConfig, onChange, logger: this.log, onForbidden: (message: string) => this.reportForbidden(message) };
    this.providerInformer = await startPlatformInformer<NodeProviderObject>(NODEPROVIDERS, common);
    this.nodeTypeInformer = await startPlatformInformer<NodeTypeObject & KubernetesObject>(NODETYPES, common);
    const claims = await startPlatformInformer<KubernetesObject>(NODECLAIMS, common);
    this.claimInformer = claims;
    this.informers = [this.providerInformer as ResourceInformer<KubernetesObject>, this.nodeTypeInformer as ResourceInformer<KubernetesObject>, claims];
    this.resync = setInterval(() => this.schedule(), this.deps.resyncMs ?? 10_000);
    await this.syncNow();
  }

  /** How many of this controller's informers have not listed successfully yet (readiness). */
  unsynced(): number {
    return this.informers.length === 0 ? 1 : this.informers.filter((inf) => !inf.synced()).length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resync);
    await this.queue.stop();
    while (this.running) await this.running;
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  /**
   * What this controller's informers hold, for read-only views (the dashboard): NodeClaims of every
   * namespace, NodeTypes, and `watch(fn)`, called whenever the controller has a reason to sync (a
   * change of those, of NodeProviders or of a provider's machines, and the resync). No API calls;
   * returns the function that stops watching.
   */
  get cache(): InformerCache {
    return {
      nodeClaims: () => this.claimInformer?.list() ?? [],
      nodeTypes: () => this.nodeTypeInformer?.list() ?? [],
      watch: (fn) => {
        this.watchers.add(fn);
        return () => this.watchers.delete(fn);
      },
    };
  }

  /** Runs a full sync now (and waits for it); used at start, by tests and after a plugin reload. */
  async syncNow(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.syncAll().finally(() => (this.running = undefined));
    await this.running;
  }

  /** A plugin said its node types changed: sync soon, coalesced with other changes. */
  requestSync(): void {
    this.schedule();
  }

  /** Every reason to sync (an informer event, a plugin's signal, the resync) is also a change for the cache's watchers. */
  private schedule(): void {
    if (this.stopped) return;
    for (const watcher of this.watchers) watcher();
    this.queue.add(SYNC_ALL, this.deps.debounceMs ?? 200);
  }

  private async syncAll(): Promise<void> {
    for (const name of this.deps.providers.names()) {
      try {
        await this.syncProvider(name);
      } catch (err) {
        this.log.warn({ provider: name, err: String((err as Error)?.message ?? err).split('\n')[0] }, 'NodeType sync failed; retrying on next change or resync');
      }
    }
  }

  private async syncProvider(name: string): Promise<void> {
    const provider = this.deps.providers.get(name);
    const object = this.providerInformer?.list().find((p) => p.metadata?.name === name);
    if (!provider || !object) return; // nothing to serve; owner references collect NodeTypes of a deleted NodeProvider
    const spec = object.spec ?? {};

    const problems = validateProviderSpec(this.deps.providers.configSchema(name), spec);
    if (problems.length > 0) {
      await this.failProvider(object, 'InvalidConfiguration', describeSpecProblems(name, problems));
      return;
    }
    const specKey = JSON.stringify(spec);
    if (this.configured.get(name) !== specKey) {
      try {
        await provider.configure({ name, spec });
      } catch (err) {
        if (!isInvalidConfiguration(err)) throw err;
        await this.failProvider(object, 'InvalidConfiguration', `NodeProvider/${name}: ${err.field}: ${err.message}`);
        return;
      }
      this.configured.set(name, specKey);
      this.reported.delete(name);
    }
    const types = await provider.nodeTypes();
    await this.writeProviderStatus(object, 'Available', [
      { type: 'Initialized', status: 'True', reason: 'Configured', message: `${types.length} node types` },
      clustersCondition(types),
    ]);
    await this.publishNodeTypes(name, object.metadata?.uid, types);
  }

  private async publishNodeTypes(provider: string, providerUid: string | undefined, types: Awaited<ReturnType<NonNullable<ReturnType<ProviderCatalog['get']>>['nodeTypes']>>): Promise<void> {
    const existing = new Map((this.nodeTypeInformer?.list() ?? [])
      .filter((t) => t.metadata?.labels?.[MANAGED_BY_LABEL] === provider)
      .map((t) => [t.metadata.name, t]));
    const now = this.deps.clock.now().toISOString();
    for (const view of types) {
      const desired = desiredNodeType(provider, providerUid, view);
      const current = existing.get(desired.metadata.name);
      existing.delete(desired.metadata.name);
      const metaSpec = (o: NodeTypeObject) => ({ labels: o.metadata.labels, annotations: o.metadata.annotations, owners: o.metadata.ownerReferences?.map((r) => r.uid), spec: o.spec });
      if (!current || !sameJson(metaSpec(current), metaSpec(desired))) await this.store.upsertNodeType(desired, Boolean(current));
      const status = desiredStatus(provider, view, current?.status, now);
      if (!current || !sameJson(current.status, status)) await this.store.writeNodeTypeStatus(desired.metadata.name, status);
      this.deps.capacityMetrics?.setNodeTypeCapacity(desired.metadata.name, view.capacity);
    }
    for (const stale of existing.keys()) {
      await this.store.deleteNodeType(stale);
      this.deps.capacityMetrics?.removeNodeType(stale);
      this.log.info({ nodeType: stale }, 'deleted NodeType of a removed type');
    }
  }

  /**
   * A permission the host lacks (the API's 403 message names verb and resource): one Warning Event on
   * each NodeProvider this host serves, so `kubectl describe nodeprovider` shows it; the informer retries.
   */
  private reportForbidden(message: string): void {
    for (const name of this.deps.providers.names()) {
      this.deps.events.record({ apiVersion: `${GROUP}/${VERSION}`, kind: 'NodeProvider', name }, 'Warning', 'Forbidden', message);
    }
  }

  private async failProvider(object: NodeProviderObject, reason: string, message: string): Promise<void> {
    const name = object.metadata!.name!;
    await this.writeProviderStatus(object, 'Failed', [{ type: 'Initialized', status: 'False', reason, message }], { reason, message });
    if (this.reported.get(name) === message) return;
    this.reported.set(name, message);
    this.log.warn({ provider: name, reason, detail: message }, 'NodeProvider rejected; the last good configuration stays in force');
    this.deps.events.record(
      { apiVersion: `${GROUP}/${VERSION}`, kind: 'NodeProvider', name, uid: object.metadata?.uid },
      'Warning', reason, message,
    );
  }

  private async writeProviderStatus(object: NodeProviderObject, phase: 'Available' | 'Failed', conditions: ConditionUpdate[], detail?: { reason: string; message: string }): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    const status = {
      phase,
      reason: detail?.reason ?? null,
      message: detail?.message ?? null,
      conditions: withConditions(object.status?.conditions, conditions, new Date(now)),
    };
    const current = { phase: object.status?.phase, reason: object.status?.reason ?? null, message: object.status?.message ?? null, conditions: object.status?.conditions };
    if (sameJson(current, status)) return;
    await this.store.writeProviderStatus(object.metadata!.name!, status);
  }
}

/**
 * `ClustersReady`: whether every site the provider's node types live in can be reached. False names each
 * unavailable type's cluster problem (the messages name the Cluster), so one look at the NodeProvider says
 * which site is down.
 */
function clustersCondition(types: NodeTypeView[]): ConditionUpdate {
  const problems = [...new Set(types.flatMap((t) => (t.unavailable ? [t.unavailable.message] : [])))];
  if (problems.length === 0) return { type: 'ClustersReady', status: 'True', reason: 'Connected', message: 'every node type\'s cluster is reachable' };
  const reasons = [...new Set(types.flatMap((t) => (t.unavailable ? [t.unavailable.reason] : [])))];
  return { type: 'ClustersReady', status: 'False', reason: reasons.length === 1 ? reasons[0] : 'ClustersUnavailable', message: problems.join('; ') };
}
