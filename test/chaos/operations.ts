/**
 * The chaos run's operations, each a seeded choice: static tenants created, scaled and deleted (within
 * what the fleet can hold), pods created and deleted in the dynamic-pool tenants, API and Metal3
 * faults, site outages, replica kills and restarts, plugin hot reloads.
 */
import type { World } from '../../lab/world.js';
import { readClusterPatiently } from './cluster.js';
import type { DynamicTenants } from './dynamicTenants.js';
import type { FaultDriver } from './faultDriver.js';
import type { Rng } from './prng.js';
import type { ReplicaSet } from './replicas.js';
import type { ChaosReport } from './scenario.js';
import type { Pool, TenantDriver } from './tenants.js';

/**
 * Static pools per node type: at most this many nodes wanted at once. site-a has 4 GPU + 4 CPU hosts,
 * site-b 3 + 2; next to these the scenario's held-b tenant keeps one site-b GPU host, the two dynamic
 * tenants hold up to 2 GPU and 2 CPU nodes, and one host of each kind may carry a provisioning error
 * (its Failed dynamic claim gets a replacement).
 */
const MAX_PER_TYPE: Record<string, number> = { 'site-a-gpu-h100': 2, 'site-a-cpu': 2, 'site-b-gpu-h100': 0, 'site-b-cpu': 1 };
const TYPES = Object.keys(MAX_PER_TYPE);
/** The site a static pool's node type is in. */
export const siteOfType = (nodeType: string) => nodeType.split('-').slice(0, 2).join('-');
export const SLOTS = ['a', 'b'];
/** How long a site outage during the run lasts (its NodeTypes must turn Unavailable meanwhile). */
const OUTAGE_MS = { min: 4000, max: 8000 };
export type Op = 'createTenant' | 'scaleTenant' | 'deleteTenant' | 'createPod' | 'deletePod' | 'apiFaults' | 'dropWatches' | 'metal3Fault'
  | 'siteOutage' | 'killReplica' | 'restartReplica' | 'reload';

interface OperationsDeps {
  world: World;
  rng: Rng;
  replicas: ReplicaSet;
  tenants: TenantDriver;
  faults: FaultDriver;
  dynamic: DynamicTenants;
  desired: Map<string, Pool[]>;
  /** Where operation and replica counts go. */
  counts: Pick<ChaosReport, 'operations' | 'replicas'>;
  say: (line: string) => void;
}

/** The operations a step picks from, each a seeded choice. */
export class Operations {
  private tenantCount = 0;

  constructor(private readonly d: OperationsDeps) {}

  async step(forced?: Op): Promise<void> {
    const { rng, replicas, desired } = this.d;
    const dead = SLOTS.filter((s) => !replicas.get(s));
    // A forced kill when one replica is already down (killed by an earlier step) restarts it instead.
    const op = (forced === 'killReplica' && dead.length > 0 ? 'restartReplica' : forced) ?? rng.weighted<Op>({
      createTenant: desired.size < 4 ? 3 : 0,
      scaleTenant: desired.size > 0 ? 3 : 0,
      deleteTenant: desired.size > 0 ? 1 : 0,
      createPod: 3,
      deletePod: 1.5,
      apiFaults: 2,
      dropWatches: 0.5,
      metal3Fault: 1.5,
      siteOutage: this.d.faults.sitesOut().length === 0 ? 0.7 : 0,
      killReplica: dead.length === 0 ? 1 : 0,
      restartReplica: dead.length > 0 ? 2 : 0,
      reload: 0.7,
    });
    this.count(op);
    switch (op) {
      case 'createTenant': return this.createTenant();
      case 'scaleTenant': return this.scaleTenant();
      case 'deleteTenant': return this.deleteTenant();
      case 'createPod': return this.say('created pod', await this.d.dynamic.createPod());
      case 'deletePod': return this.say('deleted pod', await this.d.dynamic.deletePod());
      case 'siteOutage': return this.siteOutage();
      case 'apiFaults': return this.d.say(`API faults: ${this.d.faults.shuffleApiFaults(forced !== undefined)}`);
      case 'dropWatches': return this.d.faults.dropWatches();
      case 'metal3Fault': return this.metal3Fault();
      case 'killReplica': return this.kill();
      case 'restartReplica': return this.restart(rng.pick(dead));
      case 'reload': return this.reload();
    }
  }

  async restart(slot: string): Promise<void> {
    await this.d.replicas.start(slot);
    this.d.counts.replicas.restarts++;
    this.d.say(`restarted replica ${slot}`);
  }

  private say(what: string, detail: string | undefined): void {
    if (detail) this.d.say(`${what} ${detail}`);
  }

  private count(op: string): void {
    this.d.counts.operations[op] = (this.d.counts.operations[op] ?? 0) + 1;
  }

  /** Random pools within what the fleet can hold next to every other tenant's pools. */
  private pools(except?: string): Pool[] {
    const used = new Map<string, number>(TYPES.map((t): [string, number] => [t, 0]));
    for (const [name, pools] of this.d.desired) {
      if (name !== except) for (const p of pools) used.set(p.nodeType, used.get(p.nodeType)! + p.quantity);
    }
    const out: Pool[] = [];
    for (const type of TYPES) {
      if (!this.d.rng.chance(0.4)) continue;
      const room = MAX_PER_TYPE[type] - used.get(type)!;
      out.push({ name: poolName(type), nodeType: type, quantity: this.d.rng.int(0, Math.max(0, Math.min(2, room))) });
    }
    return out.length > 0 ? out : [{ name: poolName('site-a-cpu'), nodeType: 'site-a-cpu', quantity: 0 }];
  }

  private async createTenant(): Promise<void> {
    const name = `tenant-${++this.tenantCount}`;
    const pools = this.pools();
    this.d.desired.set(name, pools);
    await this.d.tenants.create(name, pools);
    this.d.say(`created ${name}: ${describe(pools)}`);
  }

  private async scaleTenant(): Promise<void> {
    const name = this.d.rng.pick([...this.d.desired.keys()].sort());
    // Keep the pool names a tenant already has (a pool that disappears is scaled to zero by the platform).
    const fresh = this.pools(name);
    const pools = [...this.d.desired.get(name)!.map((p) => fresh.find((q) => q.name === p.name) ?? { ...p, quantity: 0 }),
      ...fresh.filter((q) => !this.d.desired.get(name)!.some((p) => p.name === q.name))];
    this.d.desired.set(name, pools);
    await this.d.tenants.scale(name, pools);
    this.d.say(`scaled ${name}: ${describe(pools)}`);
  }

  private async deleteTenant(): Promise<void> {
    const name = this.d.rng.pick([...this.d.desired.keys()].sort());
    this.d.desired.delete(name);
    await this.d.tenants.delete(name);
    this.d.say(`deleted ${name}`);
  }

  private async metal3Fault(): Promise<void> {
    const s = await readClusterPatiently(this.d.world);
    const what = this.d.faults.injectMetal3Fault(s.hosts.map((h) => ({ name: h.name, site: h.site, available: h.state === 'available' && !h.claimLabel && !h.consumerUid })));
    if (what) this.d.say(`Metal3 fault: ${what}`);
  }

  /** One site's WAN link cut for a few seconds (at most one site out at a time). */
  private async siteOutage(): Promise<void> {
    const site = this.d.rng.pick(this.d.world.sites.map((s) => s.name));
    const ms = this.d.rng.int(OUTAGE_MS.min, OUTAGE_MS.max);
    if (await this.d.faults.cutSite(site, ms)) this.d.say(`site outage: ${site} cut off for ${(ms / 1000).toFixed(1)} s`);
  }

  private async kill(): Promise<void> {
    const { replicas, rng } = this.d;
    // Mostly the leader: that is the interesting kill.
    const slot = rng.chance(0.7) && replicas.leaders().length > 0 ? replicas.leaders()[0] : rng.pick(replicas.names());
    await replicas.crash(slot);
    this.d.counts.replicas.kills++;
    this.d.say(`killed replica ${slot}`);
  }

  private async reload(): Promise<void> {
    const { replicas, rng } = this.d;
    const names = replicas.names();
    if (names.length === 0) return;
    const slot = rng.pick(names);
    this.d.counts.replicas.reloads++;
    try {
      await replicas.get(slot)!.reload();
      this.d.say(`hot-reloaded the plugin on replica ${slot}`);
    } catch (err) {
      this.d.counts.replicas.reloadFailures++;
      this.d.say(`reload on replica ${slot} failed (old version keeps serving): ${(err as Error).message}`);
    }
  }
}

/** `gpu-a`, `cpu-b`: the pool of a site's node type. */
function poolName(nodeType: string): string {
  return `${nodeType.includes('gpu') ? 'gpu' : 'cpu'}-${siteOfType(nodeType).slice('site-'.length)}`;
}

function describe(pools: Pool[]): string {
  return pools.map((p) => `${p.name}=${p.quantity}×${p.nodeType}`).join(', ');
}
