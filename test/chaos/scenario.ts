/**
 * One chaos run for a seed: a lab world, two platform replicas under leader election, and a seeded
 * stream of operations (tenants created, scaled, deleted; API and Metal3 faults; replica kills,
 * restarts and hot reloads). Then quiescence (API faults and hangs cleared: every claim Available or
 * Failed, pools honoured, nothing leaked) and teardown (Metal3 faults cleared, Failed claims retried,
 * all pools to zero: every host available, nothing generated left).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import { startWorld, type World } from '../../lab/world.js';
import { readClusterPatiently, type ClusterSnapshot } from './cluster.js';
import { FaultDriver, type Counts } from './faultDriver.js';
import { checkClean, checkConverged, checkExclusive, checkLeaks, type DesiredPools } from './invariants.js';
import { InvariantMonitor } from './monitor.js';
import { Rng } from './prng.js';
import { CHAOS_LEASE, ReplicaSet } from './replicas.js';
import { Operations, SLOTS, type Op } from './operations.js';
import { TenantDriver, type Pool } from './tenants.js';
import { sleep, waitFor } from '../support/waitFor.js';

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
  replicas: { kills: number; restarts: number; reloads: number; reloadFailures: number; leaseTransitions: number };
  monitorReads: number;
  /** Writes BMO's webhook refused, per webhook: the plugin must never send one it refuses. */
  admissionDenials: Record<string, number>;
  /** Claims by phase when the run went quiet (before teardown). */
  atQuiescence: Counts;
  violations: string[];
  keptDir?: string;
}

const PROJECT = 'p-chaos';

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const say = opts.say ?? (() => undefined);
  const rng = new Rng(opts.seed);
  await mkdir(opts.rootDir, { recursive: true });
  const dir = await mkdtemp(join(opts.rootDir, `chaos-${opts.seed}-`));
  const report: ChaosReport = {
    seed: opts.seed, durationMs: 0, operations: {}, apiFaults: {}, metal3Faults: {},
    replicas: { kills: 0, restarts: 0, reloads: 0, reloadFailures: 0, leaseTransitions: 0 }, monitorReads: 0, admissionDenials: {}, atQuiescence: {}, violations: [],
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
    await waitFor(async () => (await readClusterPatiently(w)).hosts.every((h) => h.state === 'available'), { what: 'the fleet to be available', timeoutMs: 60_000, everyMs: 100 });

    faults = new FaultDriver(world, rng);
    const f = faults;
    monitor = new InvariantMonitor({ world, intervalMs: 250, leakGraceMs: 30_000, exemptHosts: () => f.everHung });
    monitor.start();
    const desired = new Map<string, Pool[]>();
    const ops = new Operations({ world, rng, replicas, tenants, faults, desired, counts: report, say });
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
    const lease = await world.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: CHAOS_LEASE.leaseName, namespace: CHAOS_LEASE.namespace });
    report.replicas.leaseTransitions = lease.spec?.leaseTransitions ?? 0;
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
    if (world) report.admissionDenials = world.api.admission.denials();
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

