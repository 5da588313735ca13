/**
 * One chaos run for a seed: a lab world, two platform replicas under leader election, and a seeded
 * stream of operations (tenants created, scaled, deleted; API and Metal3 faults; replica kills,
 * restarts and hot reloads). Then quiescence (API faults and hangs cleared: every claim Available or
 * Failed, pools honoured, nothing leaked) and teardown (Metal3 faults cleared, Failed claims retried,
 * all pools to zero: every host available, nothing generated left).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../plugin/contract.js';
import { startWorld, type World } from '../../lab/world.js';
import { readClusterPatiently, type ClusterSnapshot } from './cluster.js';
import { FaultDriver, type Counts } from './faultDriver.js';
import { checkClean, checkConverged, checkExclusive, checkLeaks, type DesiredPools } from './invariants.js';
import { InvariantMonitor } from './monitor.js';
import { Rng } from './prng.js';
import { ReplicaSet } from './replicas.js';
import { TenantDriver, type Pool } from './tenants.js';

export interface ChaosOptions {
  seed: number;
  /** Short scenario (the jest test, `--quick`). */
  quick?: boolean;
  /** Folder for run state; removed afterwards unless the run found violations. */
  rootDir: string;
  logger?: Logger;
  /** Narration, one line per operation. */
  say?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  durationMs: number;
  operations: Counts;
  apiFaults: Counts;
  metal3Faults: Counts;
  replicas: { kills: number; restarts: number; reloads: number; reloadFailures: number; leaderChanges: number };
  monitorReads: number;
  /** Claims by phase when the run went quiet (before teardown). */
  atQuiescence: Counts;
  violations: string[];
  keptDir?: string;
}

const PROJECT = 'p-chaos';
const TYPES = ['gpu-h100', 'cpu'] as const;
/** Per node type: at most this many nodes wanted at once (4 hosts each; one may be faulted, one cleaning). */
const MAX_PER_TYPE = 3;
const SLOTS = ['a', 'b'];
type Op = 'createTenant' | 'scaleTenant' | 'deleteTenant' | 'apiFaults' | 'dropWatches' | 'metal3Fault' | 'killReplica' | 'restartReplica' | 'reload';

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const say = opts.say ?? (() => undefined);
  const rng = new Rng(opts.seed);
  await mkdir(opts.rootDir, { recursive: true });
  const dir = await mkdtemp(join(opts.rootDir, `chaos-${opts.seed}-`));
  const report: ChaosReport = {
    seed: opts.seed, durationMs: 0, operations: {}, apiFaults: {}, metal3Faults: {},
    replicas: { kills: 0, restarts: 0, reloads: 0, reloadFailures: 0, leaderChanges: 0 }, monitorReads: 0, atQuiescence: {}, violations: [],
  };
  let world: World | undefined;
  let replicas: ReplicaSet | undefined;
  let monitor: InvariantMonitor | undefined;
  let faults: FaultDriver | undefined;
  try {
    world = await startWorld({ dir, timings: 'test', logger: opts.logger });
    await world.platform.stop(); // hands the lease back; the replicas below use a short one
    replicas = new ReplicaSet({ world, leaseDurationMs: 2000, logger: opts.logger });
    for (const slot of SLOTS) await replicas.start(slot);
    const tenants = new TenantDriver(world.kubeConfig, PROJECT);
    await tenants.ensureNamespace();
    const w = world;
    await waitUntil('the fleet to be available', 60_000, async () => (await readClusterPatiently(w)).hosts.every((h) => h.state === 'available'));

    faults = new FaultDriver(world, rng);
    const f = faults;
    monitor = new InvariantMonitor({ world, intervalMs: 250, leakGraceMs: 30_000, exemptHosts: () => f.everHung });
    monitor.start();
    const desired = new Map<string, Pool[]>();
    const ops = new Operations({ world, rng, replicas, tenants, faults, desired, report, say });
    const steps = opts.quick ? 25 : 80;
    // The first steps are fixed kinds (so every seed injects API and Metal3 faults and kills the
    // leader mid-provision); their details, and everything after, come from the seed.
    const forced: Record<number, Op> = { 0: 'createTenant', 1: 'apiFaults', 2: 'metal3Fault', 3: 'createTenant', 6: 'killReplica' };
    for (let i = 0; i < steps; i++) {
      await sleep(rng.int(50, opts.quick ? 250 : 400));
      await ops.step(forced[i]);
    }

    say('quiescing: API faults and Metal3 hangs cleared, both replicas up');
    faults.clearApiFaults();
    faults.clearHangs();
    for (const slot of SLOTS) if (!replicas.get(slot)) await ops.restart(slot);
    const wanted = desiredPools(desired);
    const quiet = await settle(world, opts.quick ? 60_000 : 120_000, (s) => [
      ...checkConverged(s, wanted, f.provisioningFaulted), ...checkExclusive(s), ...checkLeaks(s, new Map(), Date.now(), 0),
    ]);
    report.violations.push(...quiet.map((v) => `at quiescence: ${v}`));
    for (const c of (await readClusterPatiently(world)).claims) report.atQuiescence[c.phase ?? 'none'] = (report.atQuiescence[c.phase ?? 'none'] ?? 0) + 1;

    say('tearing down: Metal3 faults cleared, pools to zero, Failed claims deleted');
    faults.clearMetal3Faults();
    for (const [name, pools] of desired) {
      if (rng.chance(0.5)) await tenants.delete(name);
      else await tenants.scale(name, pools.map((p) => ({ ...p, quantity: 0 })));
    }
    const snapshot = await readClusterPatiently(world);
    for (const c of snapshot.claims.filter((x) => x.phase === 'Failed')) await tenants.deleteClaim(c.name);
    const leftovers = await settle(world, opts.quick ? 60_000 : 120_000, (s) => [...checkClean(s), ...checkExclusive(s)]);
    report.violations.push(...leftovers.map((v) => `after teardown: ${v}`));
  } catch (err) {
    report.violations.push(`run aborted: ${(err as Error).message}`);
  } finally {
    await monitor?.stop();
    if (monitor) {
      report.monitorReads = monitor.reads;
      report.violations.unshift(...[...monitor.violations].map((v) => `during the run: ${v}`));
    }
    if (faults) {
      Object.assign(report.apiFaults, faults.api);
      Object.assign(report.metal3Faults, faults.metal3);
      faults.dispose();
    }
    await replicas?.stopAll();
    await world?.stop();
    report.durationMs = Date.now() - started;
    if (report.violations.length === 0) await rm(dir, { recursive: true, force: true });
    else report.keptDir = dir;
  }
  return report;
}

function desiredPools(desired: Map<string, Pool[]>): DesiredPools {
  return new Map([...desired].map(([name, pools]) => [`${PROJECT}/${name}`, new Map(pools.map((p) => [p.name, p.quantity]))]));
}

/** Waits until `problems` finds none; returns the last problems found on timeout. */
async function settle(world: World, timeoutMs: number, problems: (s: ClusterSnapshot) => string[]): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = ['never read the cluster'];
  while (Date.now() < deadline) {
    last = problems(await readClusterPatiently(world));
    if (last.length === 0) return [];
    await sleep(250);
  }
  return last;
}

async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface OperationsDeps {
  world: World;
  rng: Rng;
  replicas: ReplicaSet;
  tenants: TenantDriver;
  faults: FaultDriver;
  desired: Map<string, Pool[]>;
  report: ChaosReport;
  say: (line: string) => void;
}

/** The operations a step picks from, each a seeded choice. */
class Operations {
  private tenantCount = 0;
  private lastLeader?: string;

  constructor(private readonly d: OperationsDeps) {}

  async step(forced?: Op): Promise<void> {
    const { rng, replicas, desired } = this.d;
    const dead = SLOTS.filter((s) => !replicas.get(s));
    // A forced kill when one replica is already down (killed by an earlier step) restarts it instead.
    const op = (forced === 'killReplica' && dead.length > 0 ? 'restartReplica' : forced) ?? rng.weighted<Op>({
      createTenant: desired.size < 4 ? 3 : 0,
      scaleTenant: desired.size > 0 ? 3 : 0,
      deleteTenant: desired.size > 0 ? 1 : 0,
      apiFaults: 2,
      dropWatches: 0.5,
      metal3Fault: 1.5,
      killReplica: dead.length === 0 ? 1 : 0,
      restartReplica: dead.length > 0 ? 2 : 0,
      reload: 0.7,
    });
    this.count(op);
    switch (op) {
      case 'createTenant': return this.createTenant();
      case 'scaleTenant': return this.scaleTenant();
      case 'deleteTenant': return this.deleteTenant();
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
    this.d.report.replicas.restarts++;
    this.d.say(`restarted replica ${slot}`);
  }

  private count(op: string): void {
    this.d.report.operations[op] = (this.d.report.operations[op] ?? 0) + 1;
    const leader = this.d.replicas.leaders()[0];
    if (leader && leader !== this.lastLeader) {
      if (this.lastLeader) this.d.report.replicas.leaderChanges++;
      this.lastLeader = leader;
    }
  }

  /** Random pools within what the fleet can hold next to every other tenant's pools. */
  private pools(except?: string): Pool[] {
    const used = new Map<string, number>(TYPES.map((t) => [t, 0]));
    for (const [name, pools] of this.d.desired) {
      if (name !== except) for (const p of pools) used.set(p.nodeType, used.get(p.nodeType)! + p.quantity);
    }
    const out: Pool[] = [];
    for (const type of TYPES) {
      if (!this.d.rng.chance(0.6)) continue;
      const room = MAX_PER_TYPE - used.get(type)!;
      out.push({ name: type === 'cpu' ? 'cpu' : 'gpu', nodeType: type, quantity: this.d.rng.int(0, Math.max(0, Math.min(2, room))) });
    }
    return out.length > 0 ? out : [{ name: 'cpu', nodeType: 'cpu', quantity: 0 }];
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
    const what = this.d.faults.injectMetal3Fault(s.hosts.map((h) => ({ name: h.name, available: h.state === 'available' && !h.claimLabel && !h.consumerUid })));
    if (what) this.d.say(`Metal3 fault: ${what}`);
  }

  private async kill(): Promise<void> {
    const { replicas, rng } = this.d;
    // Mostly the leader: that is the interesting kill.
    const slot = rng.chance(0.7) && replicas.leaders().length > 0 ? replicas.leaders()[0] : rng.pick(replicas.names());
    await replicas.crash(slot);
    this.d.report.replicas.kills++;
    this.d.say(`killed replica ${slot}`);
  }

  private async reload(): Promise<void> {
    const { replicas, rng } = this.d;
    const names = replicas.names();
    if (names.length === 0) return;
    const slot = rng.pick(names);
    this.d.report.replicas.reloads++;
    try {
      await replicas.get(slot)!.reload();
      this.d.say(`hot-reloaded the plugin on replica ${slot}`);
    } catch (err) {
      this.d.report.replicas.reloadFailures++;
      this.d.say(`reload on replica ${slot} failed (old version keeps serving): ${(err as Error).message}`);
    }
  }
}

function describe(pools: Pool[]): string {
  return pools.map((p) => `${p.name}=${p.quantity}×${p.nodeType}`).join(', ');
}
