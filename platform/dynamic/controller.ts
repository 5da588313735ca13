/**
 * Dynamic pools: for each VirtualClusterInstance whose valid autoNodes config has dynamic pools, watch
 * its tenant's pods (through the access Secret, as for Nodes), batch unschedulable pods into
 * provisioning passes (provisioner.ts), and run disruption passes on a timer (disruption.ts). An
 * invalid config changes nothing here: its pools are not provisioned or disrupted until it is fixed
 * (the autoNodes controller reports the error on the VCI).
 */
import { CoreV1Api, CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import type { VciRef } from '../autoNodes/claimTemplate.js';
import { parseAutoNodesFromValues } from '../autoNodes/validate.js';
import type { Vci } from '../autoNodes/vciStatus.js';
import type { PlatformDeps } from '../deps.js';
import { ClaimStore } from '../nodeClaims/claimStore.js';
import { startResourceInformer, type ResourceInformer } from '../runtime/informer.js';
import { startPlatformInformer } from '../runtime/platformInformer.js';
import { NODECLAIMS, VCIS, type NodeClaim } from '../nodeClaims/types.js';
import { KubeEventRecorder } from '../observability/events.js';
import { BusyGate } from '../runtime/busyGate.js';
import { RecentCreates } from '../runtime/recentCreates.js';
import { ProjectStore } from '../projects/projectStore.js';
import type { NodeTypeCandidate } from '../scheduling/pickNodeType.js';
import { TenantDirectory } from '../tenants/tenantDirectory.js';
import { Batcher } from './batcher.js';
import { DEFAULT_DYNAMIC_OPTIONS, isProvisionable, type DynamicContext, type DynamicOptions, type TenantState } from './context.js';
import { disrupt } from './disruption.js';
import type { DynamicPoolRef } from './poolView.js';
import { provision, type ProvisionResult } from './provisioner.js';

export interface DynamicPoolsHooks {
  /** Called after each provisioning pass (bench and tests measure from here). */
  onProvisioned?(tenant: string, result: ProvisionResult, windowClosedAt: number): void;
}

/** Longest an own NodeClaim create is counted while the informer does not list it (deleted before its watch event). */
const RECENT_CREATES_TTL_MS = 30_000;

export class DynamicPoolsController {
  private readonly ctx: DynamicContext;
  private readonly tenantStates = new Map<string, TenantState>();
  private readonly wanted = new Map<string, { vci: VciRef; pools: DynamicPoolRef[]; fingerprint: string }>();
  private vciInformer?: ResourceInformer<Vci>;
  private claimInformer?: ResourceInformer<NodeClaim>;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopped = false;
  /** Provisioning passes in flight: the tenants' pod Events wait for them (a pass creates NodeClaims). */
  private readonly passes: BusyGate;
  private readonly recentCreates = new RecentCreates<NodeClaim>(RECENT_CREATES_TTL_MS);

  constructor(private readonly deps: PlatformDeps, options: Partial<DynamicOptions> = {}, private readonly hooks: DynamicPoolsHooks = {}) {
    const custom = deps.kubeConfig.makeApiClient(CustomObjectsApi);
    this.passes = new BusyGate(options.eventsMaxDeferMs ?? DEFAULT_DYNAMIC_OPTIONS.eventsMaxDeferMs);
    this.ctx = {
      deps, custom, options: { ...DEFAULT_DYNAMIC_OPTIONS, ...options },
      store: new ClaimStore(deps.kubeConfig),
      projects: new ProjectStore(deps.kubeConfig),
      tenants: new TenantDirectory(deps.kubeConfig.makeApiClient(CoreV1Api), deps.logger, () => undefined),
      claims: () => this.recentCreates.overlay(this.claimInformer?.list() ?? []),
      created: (claim) => this.recentCreates.created(claim),
      nodeTypes: () => this.nodeTypesCached(),
    };
  }

  async start(): Promise<void> {
    const watch = { kubeConfig: this.deps.kubeConfig, logger: this.deps.logger };
    this.claimInformer = await startPlatformInformer<NodeClaim>(NODECLAIMS, { ...watch, onChange: (claim) => this.recentCreates.seen(claim) });
    this.vciInformer = await startPlatformInformer<Vci>(VCIS, { ...watch, onChange: (vci, kind) => this.onVci(vci, kind === 'delete') });
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, this.ctx.options.disruptionIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    await Promise.all([...this.tenantStates.keys()].map((k) => this.dropTenant(k)));
    await this.ctx.tenants.stop();
    await this.vciInformer?.stop();
    await this.claimInformer?.stop();
  }

  private typesCache?: { at: number; types: Promise<NodeTypeCandidate[]> };

  private nodeTypesCached(): Promise<NodeTypeCandidate[]> {
    const now = Date.now();
    if (!this.typesCache || now - this.typesCache.at > this.ctx.options.batch.idleMs) {
      const types = this.ctx.store.nodeTypes();
      types.catch(() => (this.typesCache = undefined));
      this.typesCache = { at: now, types };
    }
    return this.typesCache.types;
  }

  private onVci(vci: Vci, deleted: boolean): void {
    const key = `${vci.metadata.namespace}/${vci.metadata.name}`;
    const parsed = deleted || vci.metadata.deletionTimestamp ? undefined : parseAutoNodesFromValues(vci.spec?.template?.helmRelease?.values);
    const pools = parsed?.ok ? parsed.config.entries.flatMap((entry) => entry.dynamic.map((pool) => ({ entry, pool }))) : [];
    if (parsed && !parsed.ok && this.wanted.has(key)) {
      // Bad input: keep the last good pools' claims untouched, provision and disrupt nothing until fixed.
      this.wanted.delete(key);
      void this.dropTenant(key);
      return;
    }
    if (pools.length === 0) {
      this.wanted.delete(key);
      void this.dropTenant(key);
      return;
    }
    const fingerprint = JSON.stringify(pools);
    const vciRef = { name: vci.metadata.name!, namespace: vci.metadata.namespace!, uid: vci.metadata.uid! };
    this.wanted.set(key, { vci: vciRef, pools, fingerprint });
    const state = this.tenantStates.get(key);
    if (state) state.pools = pools;
  }

  /**
   * Connects new tenants (all at once: each is a Secret read and a pod LIST and watch on its own API,
   * so after a restart 50 tenants cost one round of them, not 50), then runs a disruption pass for each.
   */
  private async tick(): Promise<void> {
    const unconnected = [...this.wanted].filter(([key]) => !this.tenantStates.has(key));
    await Promise.all(unconnected.map(async ([key, want]) => {
      try {
        await this.connect(key, want.vci, want.pools);
      } catch (err) {
        this.deps.logger.warn({ vci: key, err: String((err as Error)?.message ?? err) }, 'dynamic pools: tenant connection failed; retrying');
      }
    }));
    for (const [key] of this.wanted) {
      if (this.stopped) return;
      try {
        const state = this.tenantStates.get(key);
        if (!state) continue;
        await disrupt(this.ctx, state);
        const now = this.deps.clock.now().getTime();
        if (now - state.lastPassAt >= this.ctx.options.recheckMs && state.pods.list().some(isProvisionable)) {
          state.lastPassAt = now; // one recheck per period (each trigger would extend an open window)
          state.batcher.trigger();
        }
      } catch (err) {
        // Reconnect on the next tick: the tenant's access Secret (or the tenant) may have changed.
        this.deps.logger.warn({ vci: key, err: String((err as Error)?.message ?? err) }, 'dynamic pools pass failed; retrying');
        await this.dropTenant(key);
      }
    }
  }

  private async connect(key: string, vci: VciRef, pools: DynamicPoolRef[]): Promise<TenantState | undefined> {
    const conn = await this.ctx.tenants.get(vci.namespace, vci.name);
    if (!conn || this.stopped) return undefined;
    const core = conn.kubeConfig.makeApiClient(CoreV1Api);
    const ref: { state?: TenantState } = {};
    const pods = await startResourceInformer<V1Pod>({
      kubeConfig: conn.kubeConfig, path: '/api/v1/pods', list: (page) => core.listPodForAllNamespaces({ limit: page.limit, _continue: page.continue }),
      onChange: (pod, kind) => {
        if (kind !== 'delete' && isProvisionable(pod)) ref.state?.batcher.trigger();
      },
      logger: this.deps.logger.child({ tenant: key }),
    });
    const podEvents = new KubeEventRecorder({
      kubeConfig: conn.kubeConfig, logger: this.deps.logger, clock: this.deps.clock, giveWay: () => this.passes.quiet(),
    });
    const batcher = new Batcher(this.ctx.options.batch, async (closedAt) => {
      const state = ref.state;
      if (!state || this.stopped) return;
      state.lastPassAt = this.deps.clock.now().getTime();
      try {
        const result = await this.passes.during(() => provision(this.ctx, state));
        this.hooks.onProvisioned?.(key, result, closedAt);
      } catch (err) {
        this.deps.logger.warn({ vci: key, err: String((err as Error)?.message ?? err) }, 'dynamic provisioning failed; retrying');
        setTimeout(() => state.batcher.trigger(), this.ctx.options.batch.idleMs).unref();
      }
    });
    const state: TenantState = { key, vci, pools, conn, pods, podEvents, batcher, podChanges: new Map(), lastPassAt: 0 };
    ref.state = state;
    this.tenantStates.set(key, state);
    if (this.stopped || !this.wanted.has(key)) {
      await this.dropTenant(key); // stopped, or the VCI lost its pools while connecting
      return undefined;
    }
    state.pools = this.wanted.get(key)!.pools;
    if (pods.list().some(isProvisionable)) batcher.trigger();
    return state;
  }

  private async dropTenant(key: string): Promise<void> {
    const state = this.tenantStates.get(key);
    if (!state) return;
    this.tenantStates.delete(key);
    await state.batcher.stop();
    await state.pods.stop();
    await state.podEvents.stop();
  }
}
