/**
 * The NodeClaim lifecycle orchestrator (Karpenter-style): an informer on NodeClaims of registered
 * providers feeds a keyed work queue; each reconcile reads the claim, adds the finalizer first, runs
 * the steps in order on the in-memory claim and persists its status once.
 */
import { CoreV1Api, type KubernetesObject, type V1Node } from '@kubernetes/client-node';
import type { PlatformDeps } from '../deps.js';
import { namespaceOfProject, parseProject, projectOfNamespace, PROJECTS, type ProjectObject } from '../projects/project.js';
import { ProjectStore } from '../projects/projectStore.js';
import { TenantDirectory } from '../tenants/tenantDirectory.js';
import { candidate, ClaimStore, type NodeTypeObject } from './claimStore.js';
import { isTrue } from './conditions.js';
import { Backoff, type Step, type StepContext } from './context.js';
import { drift } from './drift.js';
import { launch } from './launch.js';
import { liveness } from './liveness.js';
import { PoolDirectory } from './poolDirectory.js';
import { power } from './power.js';
import { registration } from './registration.js';
import type { ResourceInformer } from '../runtime/informer.js';
import { startPlatformInformer } from '../runtime/platformInformer.js';
import { followProviderNames } from '../runtime/providerNames.js';
import { schedule } from './schedule.js';
import { terminate } from './termination.js';
import { CLAIM_FINALIZER, claimKey, LABEL_VCLUSTER, NODECLAIMS, NODETYPES, type NodeClaim } from './types.js';
import { WorkQueue, type ReconcileResult } from '../runtime/workQueue.js';

const STEPS: Step[] = [drift, schedule, launch, registration, liveness, power];
const METRICS_DEBOUNCE_MS = 500;

export class NodeClaimController {
  private readonly store: ClaimStore;
  private readonly projects: ProjectStore;
  private readonly tenants: TenantDirectory;
  private readonly queue: WorkQueue;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private informer?: ResourceInformer<NodeClaim>;
  private projectInformer?: ResourceInformer<ProjectObject & KubernetesObject>;
  private nodeTypeInformer?: ResourceInformer<NodeTypeObject & KubernetesObject>;
  private readonly pools = new PoolDirectory();
  private providerNames?: { stop(): void };
  private metricsTimer?: NodeJS.Timeout;
  /** What of each claim, besides status, was last seen: status-only updates (our own writes) do not requeue. */
  private readonly seen = new Map<string, string>();
  /** Joined claims' Nodes (see StepContext.nodeNames) and what of each Node was last seen. */
  private readonly nodeNames = new Map<string, string>();
  private readonly nodeSeen = new Map<string, string>();

  constructor(private readonly deps: PlatformDeps) {
    this.store = new ClaimStore(deps.kubeConfig);
    this.projects = new ProjectStore(deps.kubeConfig);
    this.tenants = new TenantDirectory(deps.kubeConfig.makeApiClient(CoreV1Api), deps.logger, (t, n, kind) => this.onTenantNode(t, n, kind));
    this.backoff = new Backoff(deps.options.capacityBackoff.initialMs, deps.options.capacityBackoff.maxMs);
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      onError: (key, err) => {
        if ((err as { code?: number }).code === 409) deps.logger.debug({ claim: key }, 'NodeClaim changed meanwhile; reconciling again');
        else deps.logger.warn({ claim: key, err: (err as Error).message }, 'NodeClaim reconcile failed; retrying');
      },
    });
  }

  async start(): Promise<void> {
    // Claims of a provider registered after they were seen get their first reconcile now.
    this.providerNames = followProviderNames(this.deps.providers, ({ added }) => {
      if (added.length === 0) return;
      for (const claim of this.informer?.list() ?? []) if (added.includes(claim.spec?.providerRef)) this.queue.add(claimKey(claim));
    });
    const watch = { kubeConfig: this.deps.kubeConfig, logger: this.deps.logger };
    this.informer = await startPlatformInformer<NodeClaim>(NODECLAIMS, { ...watch, onChange: (claim, kind) => this.onClaim(claim, kind) });
    this.projectInformer = await startPlatformInformer<ProjectObject & KubernetesObject>(PROJECTS, {
      ...watch, onChange: (project) => this.onProject(project.metadata!.name!),
    });
    // A pool or a NodeType changed: the claims it concerns are judged for drift again.
    await this.pools.start(this.deps.kubeConfig, this.store.custom, this.deps.logger, (namespace, vci) => this.requeueWhere(
      (c) => c.metadata.namespace === namespace && c.metadata.labels?.[LABEL_VCLUSTER] === vci,
    ));
    const typeSpecs = new Map<string, string>();
    this.nodeTypeInformer = await startPlatformInformer<NodeTypeObject & KubernetesObject>(NODETYPES, {
      ...watch,
      onChange: (type, kind) => {
        const name = type.metadata!.name!;
        const spec = kind === 'delete' ? '' : JSON.stringify(type.spec);
        const before = typeSpecs.get(name);
        typeSpecs.set(name, spec);
        if (before !== undefined && before !== spec) this.requeueWhere((c) => c.spec?.typeRef === name);
      },
    });
  }

  async stop(): Promise<void> {
    this.providerNames?.stop();
    clearTimeout(this.metricsTimer);
    this.abort.abort();
    await this.informer?.stop();
    await this.projectInformer?.stop();
    await this.nodeTypeInformer?.stop();
    await this.pools.stop();
    await this.queue.stop();
    await this.tenants.stop();
  }

  private onClaim(claim: NodeClaim, kind: 'add' | 'update' | 'delete'): void {
    this.scheduleMetrics();
    const key = claimKey(claim);
    if (kind === 'delete') {
      this.queue.forget(key);
      this.seen.delete(key);
      for (const [node, owner] of this.nodeNames) if (owner === key) this.nodeNames.delete(node);
      this.backoff.reset(claim.metadata.uid!);
      return;
    }
    const { generation, deletionTimestamp, finalizers, labels, annotations, uid } = claim.metadata;
    const fingerprint = JSON.stringify([uid, generation, deletionTimestamp, finalizers, labels, annotations, claim.spec]);
    if (this.seen.get(key) === fingerprint) return;
    this.seen.set(key, fingerprint);
    if (this.deps.providers.get(claim.spec?.providerRef)) this.queue.add(key);
  }

  /**
   * A Project changed: its claims not launched yet are scheduled again now, not after their backoff,
   * and its launched ones are judged for drift (allowedNodeTypes).
   */
  private onProject(name: string): void {
    const namespace = namespaceOfProject(name);
    this.requeueWhere((c) => c.metadata.namespace === namespace);
  }

  private requeueWhere(match: (claim: NodeClaim) => boolean): void {
    for (const claim of this.informer?.list() ?? []) {
      if (!claim.metadata.deletionTimestamp && this.deps.providers.get(claim.spec?.providerRef) && match(claim)) this.queue.add(claimKey(claim));
    }
  }

  /**
   * A tenant Node changed: claims still waiting for their Node are looked at again, and a joined
   * claim when its Node is deleted or its readiness, labels or taints changed (heartbeats do not count).
   */
  private onTenantNode(tenantKey: string, node: V1Node, kind: 'add' | 'update' | 'delete'): void {
    const nodeKey = `${tenantKey}/${node.metadata?.name}`;
    const fingerprint = kind === 'delete' ? undefined : JSON.stringify([
      node.metadata?.labels, node.spec?.taints, node.status?.conditions?.find((c) => c.type === 'Ready')?.status,
    ]);
    const changed = this.nodeSeen.get(nodeKey) !== fingerprint;
    if (fingerprint === undefined) this.nodeSeen.delete(nodeKey);
    else this.nodeSeen.set(nodeKey, fingerprint);
    const owner = this.nodeNames.get(nodeKey);
    if (owner && changed) this.queue.add(owner);
    for (const claim of this.informer?.list() ?? []) {
      if (`${claim.metadata.namespace}/${claim.spec?.vClusterRef}` !== tenantKey) continue;
      if (claim.metadata.deletionTimestamp || !isTrue(claim, 'Joined')) this.queue.add(claimKey(claim));
    }
  }

  private readonly cached: StepContext['cached'] = {
    nodeType: (name) => {
      const type = this.nodeTypeInformer?.list().find((t) => t.metadata.name === name);
      return type ? candidate(type) : undefined;
    },
    project: (namespace) => {
      const name = projectOfNamespace(namespace);
      const project = name ? this.projectInformer?.list().find((p) => p.metadata?.name === name) : undefined;
      return project ? parseProject(project as ProjectObject) : undefined;
    },
  };

  private async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/');
    let claim = await this.store.get(namespace, name);
    if (!claim) return;
    const provider = this.deps.providers.get(claim.spec.providerRef);
    if (!provider) return;
    const ctx: StepContext = {
      deps: this.deps, provider, store: this.store, tenants: this.tenants, backoff: this.backoff, signal: this.abort.signal,
      nodeNames: this.nodeNames, projects: this.projects, pools: this.pools, cached: this.cached,
    };
    const finalizers = claim.metadata.finalizers ?? [];
    claim.status ??= {};
    const before = JSON.stringify(claim.status);

    if (claim.metadata.deletionTimestamp) {
      if (!finalizers.includes(CLAIM_FINALIZER)) return;
      const result = await terminate(ctx, claim);
      claim = await this.persist(claim, before);
      if (result.released) {
        await this.store.setFinalizers(claim, finalizers.filter((f) => f !== CLAIM_FINALIZER));
        this.backoff.reset(claim.metadata.uid!);
        return;
      }
      return { requeueAfterMs: result.requeueAfterMs };
    }
    if (!finalizers.includes(CLAIM_FINALIZER)) {
      const status = claim.status;
      claim = await this.store.setFinalizers(claim, [...finalizers, CLAIM_FINALIZER]);
      claim.status = status;
    }
    if (claim.status!.phase === 'Failed') {
      await this.persist(claim, before);
      return;
    }
    let requeue: number | undefined;
    for (const step of STEPS) {
      const r = await step(ctx, claim);
      if (r.requeueAfterMs !== undefined) requeue = Math.min(requeue ?? Infinity, r.requeueAfterMs);
      if (r.halt) break;
    }
    const status = claim.status!;
    if (status.phase !== 'Failed' && status.phase !== 'Available') status.phase = 'Pending';
    await this.persist(claim, before);
    return requeue === undefined ? undefined : { requeueAfterMs: requeue };
  }

  /** Writes the status if it changed; returns the claim with the resourceVersion the write produced. */
  private async persist(claim: NodeClaim, before: string): Promise<NodeClaim> {
    if (JSON.stringify(claim.status) === before) return claim;
    const written = await this.store.writeStatus(claim);
    claim.metadata.resourceVersion = written.metadata.resourceVersion;
    return claim;
  }

  private scheduleMetrics(): void {
    if (this.metricsTimer) return;
    this.metricsTimer = setTimeout(() => {
      this.metricsTimer = undefined;
      const counts = new Map<string, Record<string, number>>();
      for (const c of this.informer?.list() ?? []) {
        const provider = c.spec?.providerRef ?? '';
        const byPhase = counts.get(provider) ?? { Pending: 0, Available: 0, Failed: 0, Deleting: 0 };
        const phase = c.metadata.deletionTimestamp ? 'Deleting' : c.status?.phase ?? 'Pending';
        byPhase[phase] = (byPhase[phase] ?? 0) + 1;
        counts.set(provider, byPhase);
      }
      for (const [provider, byPhase] of counts) this.deps.metrics.setClaimsByPhase(provider, byPhase);
    }, METRICS_DEBOUNCE_MS);
  }
}
