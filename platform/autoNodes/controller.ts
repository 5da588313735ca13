/**
 * autoNodes → NodeClaims: for each VirtualClusterInstance keep one NodeClaim per requested node of
 * every static pool of a registered provider. Invalid config changes nothing but the VCI's
 * `AutoNodesValid` condition (and a Warning Event). Creating stops at the Project's machine quota
 * (condition `WithinQuota` and a Warning Event with the platform's message) and resumes when a claim
 * of the project goes or the Project changes. Claims that drifted from their pool are replaced one at
 * a time, surge first (driftRollout.ts), reported in the VCI's `NodesNotDrifted` condition. A VCI being
 * deleted keeps its finalizer until all its NodeClaims are gone.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import type { PlatformDeps } from '../deps.js';
import { namespaceOfProject, PROJECTS, type ProjectObject } from '../projects/project.js';
import { ProjectStore } from '../projects/projectStore.js';
import type { ResourceInformer } from '../runtime/informer.js';
import { startPlatformInformer } from '../runtime/platformInformer.js';
import { followProviderNames } from '../runtime/providerNames.js';
import { disruptClaim } from '../nodeClaims/disruptClaim.js';
import { claimRef, GROUP, LABEL_POOL, LABEL_VCLUSTER, NODECLAIMS, VCIS, VERSION, type NodeClaim } from '../nodeClaims/types.js';
import { WorkQueue, type ReconcileResult } from '../runtime/workQueue.js';
import { claimForPool, type VciRef } from './claimTemplate.js';
import { planStaticPool, type PoolDriftState, type PoolPlan } from './driftRollout.js';
import { environmentForClaims } from './nodeEnvironment.js';
import type { AutoNodesConfig } from './config.js';
import { providerChangeErrors } from './providerChange.js';
import { Quota, QUOTA_CONDITION } from './quota.js';
import { parseAutoNodesFromValues } from './validate.js';
import { setVciCondition, type Vci } from './vciStatus.js';

export const VCI_FINALIZER = 'platform.vcluster.com/node-claims';
/** The VCI's condition on its pools' drift (see reportDrift). */
export const DRIFT_CONDITION = 'NodesNotDrifted';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const DELETION_RECHECK_MS = 1000;

export class AutoNodesController {
  private readonly custom: CustomObjectsApi;
  private readonly projects: ProjectStore;
  private readonly queue: WorkQueue;
  private readonly informers: ResourceInformer<never>[] = [];
  private providerNames?: { stop(): void };

  constructor(private readonly deps: PlatformDeps) {
    this.custom = deps.kubeConfig.makeApiClient(CustomObjectsApi);
    this.projects = new ProjectStore(deps.kubeConfig);
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      onError: (key, err) => deps.logger.warn({ vci: key, err: (err as Error).message }, 'autoNodes reconcile failed; retrying'),
    });
  }

  async start(): Promise<void> {
    // A provider registering (or going away) changes what every VCI should have.
    this.providerNames = followProviderNames(this.deps.providers, () => {
      for (const vci of this.vciList()) this.queue.add(`${vci.metadata.namespace}/${vci.metadata.name}`);
    });
    const watch = { kubeConfig: this.deps.kubeConfig, logger: this.deps.logger };
    const vciInformer = await startPlatformInformer<Vci>(VCIS, {
      ...watch, onChange: (vci) => this.queue.add(`${vci.metadata.namespace}/${vci.metadata.name}`),
    });
    // A claim deleted or changed by someone else brings its VCI back to the desired count.
    const claimInformer = await startPlatformInformer<NodeClaim>(NODECLAIMS, {
      ...watch,
      onChange: (claim, kind) => {
        const vci = claim.metadata.labels?.[LABEL_VCLUSTER];
        if (vci && kind !== 'add') this.queue.add(`${claim.metadata.namespace}/${vci}`);
        // A claim gone makes room in its project's quota for the other tenant clusters there.
        if (kind === 'delete') this.queueNamespace(claim.metadata.namespace!);
      },
    });
    const projectInformer = await startPlatformInformer<ProjectObject & KubernetesObject>(PROJECTS, {
      ...watch, onChange: (project) => this.queueNamespace(namespaceOfProject(project.metadata!.name!)),
    });
    this.informers.push(vciInformer as never, claimInformer as never, projectInformer as never);
    this.vciList = () => vciInformer.list();
  }

  async stop(): Promise<void> {
    this.providerNames?.stop();
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.queue.stop();
  }

  private vciList: () => Vci[] = () => [];

  private readonly namespaceTurns = new Map<string, Promise<unknown>>();

  private async inNamespaceTurn<T>(namespace: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.namespaceTurns.get(namespace) ?? Promise.resolve();
    const turn = previous.catch(() => undefined).then(fn);
    this.namespaceTurns.set(namespace, turn);
    try {
      return await turn;
    } finally {
      if (this.namespaceTurns.get(namespace) === turn) this.namespaceTurns.delete(namespace);
    }
  }

  private queueNamespace(namespace: string): void {
    for (const vci of this.vciList()) if (vci.metadata.namespace === namespace) this.queue.add(`${namespace}/${vci.metadata.name}`);
  }

  private async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/');
    const vci = await this.getVci(namespace, name);
    if (!vci) return;
    const ref: VciRef = { name, namespace, uid: vci.metadata.uid! };
    const claims = await this.listClaims(namespace, name);
    const finalizers = vci.metadata.finalizers ?? [];

    if (vci.metadata.deletionTimestamp) {
      if (!finalizers.includes(VCI_FINALIZER)) return;
      for (const c of claims.filter((c) => !c.metadata.deletionTimestamp)) await this.deleteClaim(c);
      if (claims.length > 0) return { requeueAfterMs: DELETION_RECHECK_MS };
      await this.patchVci(vci, { metadata: { finalizers: finalizers.filter((f) => f !== VCI_FINALIZER), resourceVersion: vci.metadata.resourceVersion } });
      return;
    }

    const parsed = parseAutoNodesFromValues(vci.spec?.template?.helmRelease?.values);
    const errors = parsed.ok ? providerChangeErrors(parsed.config, claims) : parsed.errors;
    if (!parsed.ok || errors.length > 0) {
      const message = errors.join('; ');
      const changed = await setVciCondition(this.custom, vci, 'AutoNodesValid', 'False', 'InvalidAutoNodesConfig', message, this.deps.clock.now());
      if (changed) {
        this.deps.events.record(vciObjectRef(vci), 'Warning', 'InvalidAutoNodesConfig', `VirtualClusterInstance ${key}: ${message}`);
      }
      return;
    }
    const config = parsed.config;
    if (config.entries.length === 0 && claims.length === 0 && !vci.status?.conditions?.some((c) => c.type === 'AutoNodesValid')) return;
    if (config.entries.length > 0 && !finalizers.includes(VCI_FINALIZER)) {
      await this.patchVci(vci, { metadata: { finalizers: [...finalizers, VCI_FINALIZER], resourceVersion: vci.metadata.resourceVersion } });
    }
    // One VCI of a namespace at a time counts and creates, so two cannot both take the last place in the quota.
    const { quota, drift } = await this.inNamespaceTurn(namespace, async () => {
      const q = await Quota.of(this.projects, this.custom, namespace);
      return { quota: q, drift: await this.converge(ref, config, claims, q) };
    });
    await setVciCondition(this.custom, vci, 'AutoNodesValid', 'True', 'Valid', this.validMessage(config), this.deps.clock.now());
    await this.reportQuota(vci, quota);
    await this.reportDrift(vci, drift);
  }

  /** Brings every static pool to its quantity and rolls its drifted claims; returns where each pool's drift stands. */
  private async converge(vci: VciRef, config: AutoNodesConfig, claims: NodeClaim[], quota: Quota): Promise<NonNullable<PoolPlan['drift']>[]> {
    const handledPools = new Set<string>();
    const drift: NonNullable<PoolPlan['drift']>[] = [];
    for (const entry of config.entries) {
      const registered = !!this.deps.providers.get(entry.provider);
      let environment: string | undefined;
      const environmentOf = async () => (environment ??= await environmentForClaims(this.custom, this.deps.events, vci, entry.provider));
      for (const pool of entry.static) {
        handledPools.add(pool.name);
        if (!registered) continue;
        const plan = planStaticPool(pool.name, claims.filter((c) => c.metadata.labels?.[LABEL_POOL] === pool.name), pool.quantity);
        for (let i = pool.quantity - plan.create; i < pool.quantity; i++) {
          if (!quota.admit(entry.provider, `pool ${pool.name}: ${i} of ${pool.quantity} node(s) exist`)) break;
          await this.createClaim(vci, claimForPool(vci, entry, pool, await environmentOf()));
        }
        for (const d of plan.delete) {
          if (d.reason === 'ScaleDown') await this.deleteClaim(d.claim);
          else await disruptClaim(this.custom, this.deps, d.claim, d.reason, d.message);
        }
        if (plan.replace) {
          const old = plan.replace.metadata.name!;
          if (quota.admit(entry.provider, `pool ${pool.name}: a replacement for drifted NodeClaim ${old}`)) {
            const created = await this.createClaim(vci, claimForPool(vci, entry, pool, await environmentOf(), old));
            this.deps.events.record(claimRef(plan.replace), 'Normal', 'DriftReplacement',
              `NodeClaim ${created.metadata.name} created to replace this drifted one; this one is deleted once it has joined and its Node is Ready`);
          } else {
            plan.drift = {
              state: 'ReplacementBlocked',
              message: `pool ${pool.name}: no replacement for drifted NodeClaim ${old} can be created: ${quota.refusal?.message}; nothing is deleted until the project has room`,
            };
          }
        }
        if (plan.drift) drift.push(plan.drift);
        if (plan.create > 0 || plan.delete.some((d) => d.reason === 'ScaleDown')) {
          this.deps.logger.info({ vci: `${vci.namespace}/${vci.name}`, pool: pool.name, to: pool.quantity }, 'scaling static pool');
        }
      }
      for (const pool of entry.dynamic) handledPools.add(pool.name);
    }
    // Pools removed from the config lose their claims.
    for (const c of claims) {
      const pool = c.metadata.labels?.[LABEL_POOL];
      if (pool && !handledPools.has(pool) && !c.metadata.deletionTimestamp) await this.deleteClaim(c);
    }
    return drift;
  }

  private async createClaim(vci: VciRef, body: NodeClaim): Promise<NodeClaim> {
    return (await this.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: vci.namespace, plural: NODECLAIMS, body })) as NodeClaim;
  }

  /**
   * `NodesNotDrifted` on a VCI once one of its claims drifted: False while a pool replaces drifted
   * claims (reason Replacing, ReplacementBlocked or ReplacementFailed, the message per pool), True when
   * all match again; an Event each time it changes (never one per pass).
   */
  private async reportDrift(vci: Vci, pools: NonNullable<PoolPlan['drift']>[]): Promise<void> {
    const had = vci.status?.conditions?.some((c) => c.type === DRIFT_CONDITION);
    if (pools.length === 0 && !had) return;
    const now = this.deps.clock.now();
    if (pools.length === 0) {
      const changed = await setVciCondition(this.custom, vci, DRIFT_CONDITION, 'True', 'NotDrifted', 'every NodeClaim matches its pool', now);
      if (changed) this.deps.events.record(vciObjectRef(vci), 'Normal', 'NotDrifted', `VirtualClusterInstance ${vci.metadata.namespace}/${vci.metadata.name}: every NodeClaim matches its pool`);
      return;
    }
    const severity: PoolDriftState[] = ['ReplacementFailed', 'ReplacementBlocked', 'Replacing'];
    const reason = severity.find((s) => pools.some((p) => p.state === s))!;
    const message = pools.map((p) => p.message).join('; ');
    const changed = await setVciCondition(this.custom, vci, DRIFT_CONDITION, 'False', reason, message, now);
    if (changed) {
      this.deps.events.record(vciObjectRef(vci), reason === 'Replacing' ? 'Normal' : 'Warning', reason, `VirtualClusterInstance ${vci.metadata.namespace}/${vci.metadata.name}: ${message}`);
    }
  }

  /** `WithinQuota` on VCIs of a Project with machine quotas (or an invalid one); a Warning Event when it turns False. */
  private async reportQuota(vci: Vci, quota: Quota): Promise<void> {
    const had = vci.status?.conditions?.some((c) => c.type === QUOTA_CONDITION);
    if (!quota.applies && !had) return;
    const key = `${vci.metadata.namespace}/${vci.metadata.name}`;
    const refusal = quota.refusal;
    const now = this.deps.clock.now();
    if (!refusal) {
      await setVciCondition(this.custom, vci, QUOTA_CONDITION, 'True', 'WithinQuota', 'every requested NodeClaim fits the project quota', now);
      return;
    }
    const changed = await setVciCondition(this.custom, vci, QUOTA_CONDITION, 'False', refusal.reason, refusal.message, now);
    if (changed) this.deps.events.record(vciObjectRef(vci), 'Warning', refusal.reason, `VirtualClusterInstance ${key}: ${refusal.message}`);
  }

  private validMessage(config: AutoNodesConfig): string {
    const parts = ['autoNodes configuration is valid'];
    const unregistered = config.entries.filter((e) => !this.deps.providers.get(e.provider)).map((e) => e.provider);
    if (unregistered.length) parts.push(`provider(s) not registered, nothing provisioned for them: ${unregistered.join(', ')}`);
    const dynamic = config.entries.flatMap((e) => e.dynamic.map((p) => p.name));
    if (dynamic.length) parts.push(`dynamic pools provisioned from pending pods: ${dynamic.join(', ')}`);
    return parts.join('; ');
  }

  private async getVci(namespace: string, name: string): Promise<Vci | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: VCIS, name })) as Vci;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  private async listClaims(namespace: string, vci: string): Promise<NodeClaim[]> {
    const list = (await this.custom.listNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace, plural: NODECLAIMS, labelSelector: `${LABEL_VCLUSTER}=${vci}`,
    })) as { items: NodeClaim[] };
    return list.items;
  }

  private async deleteClaim(c: NodeClaim): Promise<void> {
    try {
      await this.custom.deleteNamespacedCustomObject({
        group: GROUP, version: VERSION, namespace: c.metadata.namespace!, plural: NODECLAIMS, name: c.metadata.name!,
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }

  private async patchVci(vci: Vci, body: object): Promise<void> {
    await this.custom.patchNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: vci.metadata.namespace!, plural: VCIS, name: vci.metadata.name!, body,
    }, MERGE);
  }
}

function vciObjectRef(vci: Vci) {
  return {
    apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance',
    name: vci.metadata.name!, namespace: vci.metadata.namespace, uid: vci.metadata.uid,
  };
}
