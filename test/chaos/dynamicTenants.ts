/**
 * The chaos run's dynamic-pool tenants: two VirtualClusterInstances, each with one dynamic pool over
 * every node type of both sites (limits on nodes and nvidia.com/gpu; one WhenEmpty, one
 * WhenEmptyOrUnderutilized, both with a short consolidateAfter), and the pods the run creates and
 * deletes in them: GPU jobs and CPU pods, some finishing on their own.
 *
 * A tenant has at most one GPU pod and one CPU pod alive at a time and each fits a node of its kind, so
 * `limits.nodes: 2` holds them under any packing (every node that is not empty holds one of them).
 * That keeps "every pending pod that fits is eventually served" a fair demand at quiescence.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { parseResources } from '../../common/podFit.js';
import type { World } from '../../lab/world.js';
import { aPod, createPod } from '../support/workloads.js';
import { waitFor } from '../support/waitFor.js';
import { CHAOS_POD_LABEL, tenantCore } from './cluster.js';
import type { Counts } from './faultDriver.js';
import type { PoolLimits } from './poolInvariants.js';
import type { Rng } from './prng.js';
import type { DynamicPool, TenantDriver } from './tenants.js';

const POOL = 'burst';
const LIMITS = { nodes: '2', 'nvidia.com/gpu': '8' };
export const DYNAMIC_TENANTS: { name: string; pool: DynamicPool }[] = [
  { name: 'dyn-1', pool: { name: POOL, limits: LIMITS, consolidationPolicy: 'WhenEmpty', consolidateAfter: '1s' } },
  { name: 'dyn-2', pool: { name: POOL, limits: LIMITS, consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1s' } },
];

type Kind = 'gpu' | 'cpu';

export class DynamicTenants {
  /** Pods created by kind (gpuJob, cpuPod, of them finishing on their own) and deleted. */
  readonly counts: Counts = {};
  private seq = 0;

  constructor(private readonly world: World, private readonly tenants: TenantDriver, private readonly rng: Rng) {}

  /** The pools' limits as the invariants count them: `project/tenant/pool` → limits. */
  limits(): PoolLimits {
    return new Map(DYNAMIC_TENANTS.map((t) => [`${this.tenants.namespace}/${t.name}/${t.pool.name}`, parseResources(t.pool.limits)]));
  }

  names(): string[] {
    return DYNAMIC_TENANTS.map((t) => t.name);
  }

  /** Creates the tenants and waits for their clusters (the pods go there). */
  async create(): Promise<void> {
    for (const t of DYNAMIC_TENANTS) await this.tenants.create(t.name, [], [t.pool]);
    for (const t of DYNAMIC_TENANTS) {
      await waitFor(() => this.world.tenants.get(this.tenants.namespace, t.name) !== undefined, { what: `tenant cluster ${t.name}`, timeoutMs: 30_000, everyMs: 100 });
    }
  }

  /**
   * A GPU job or a CPU pod: the seeded tenant and kind, or, when that tenant already runs one of the
   * kind, the next free slot (other kind, then other tenant); undefined when every slot is taken. Every
   * draw is made first, so the seed's later choices do not depend on how fast pods ran.
   */
  async createPod(): Promise<string | undefined> {
    const r = this.rng;
    const tenants = this.names();
    const first = r.int(0, tenants.length - 1);
    const kinds: Kind[] = r.chance(0.5) ? ['gpu', 'cpu'] : ['cpu', 'gpu'];
    // GPU jobs take 4 or 8 GPUs of a DGX; CPU pods fit any server.
    const requestsOf: Record<Kind, Record<string, string>> = {
      gpu: { cpu: `${r.int(1, 4)}`, memory: `${r.int(4, 32)}Gi`, 'nvidia.com/gpu': `${r.pick([4, 8])}` },
      cpu: { cpu: `${r.int(1, 12) * 500}m`, memory: `${r.int(1, 24)}Gi` },
    };
    const runFor = r.chance(0.4) ? `${r.int(1, 4)}s` : undefined;
    for (let i = 0; i < tenants.length; i++) {
      const tenant = tenants[(first + i) % tenants.length];
      const alive = await this.alivePods(tenant);
      const kind = kinds.find((k) => !alive.some((p) => p.startsWith(`${k}-`)));
      if (kind) return this.submit(tenant, kind, requestsOf[kind], runFor);
    }
    return undefined;
  }

  private async submit(tenant: string, kind: Kind, requests: Record<string, string>, runFor: string | undefined): Promise<string> {
    const name = `${kind}-${++this.seq}`;
    const pod = aPod(name, { requests, ...(runFor ? { runFor } : {}) });
    pod.metadata!.labels = { [CHAOS_POD_LABEL]: kind };
    await createPod(this.core(tenant), pod);
    this.bump(kind === 'gpu' ? 'gpuJob' : 'cpuPod');
    if (runFor) this.bump('finishingOnItsOwn');
    return `${tenant}/${name} (${Object.entries(requests).map(([k, v]) => `${k} ${v}`).join(', ')}${runFor ? `, runs ${runFor}` : ''})`;
  }

  /** Deletes one pod still alive, if any. */
  async deletePod(): Promise<string | undefined> {
    const alive = (await Promise.all(this.names().map(async (tenant) => (await this.alivePods(tenant)).map((name) => ({ tenant, name }))))).flat();
    if (alive.length === 0) return undefined;
    const { tenant, name } = this.rng.pick(alive);
    await this.core(tenant).deleteNamespacedPod({ name, namespace: 'default' }).catch(() => undefined);
    this.bump('podDeleted');
    return `${tenant}/${name}`;
  }

  /** The workloads end: every pod the run created is deleted (their nodes then go empty). */
  async deleteAllPods(): Promise<void> {
    for (const tenant of this.names()) {
      const core = this.core(tenant);
      const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: CHAOS_POD_LABEL });
      for (const p of list.items) await core.deleteNamespacedPod({ name: p.metadata!.name!, namespace: 'default' }).catch(() => undefined);
    }
  }

  private async alivePods(tenant: string): Promise<string[]> {
    const list = await this.core(tenant).listNamespacedPod({ namespace: 'default', labelSelector: CHAOS_POD_LABEL });
    return list.items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').map((p) => p.metadata!.name!);
  }

  private core(tenant: string): CoreV1Api {
    const t = this.world.tenants.get(this.tenants.namespace, tenant);
    if (!t) throw new Error(`tenant cluster ${this.tenants.namespace}/${tenant} is not running`);
    return tenantCore(t);
  }

  private bump(key: string): void {
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }
}
