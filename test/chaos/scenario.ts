/**
 * One chaos run for a seed: a lab world with two sites (connected clusters, each its own API, Metal3
 * simulator, fleet and servers), two platform replicas under leader election, two dynamic-pool tenants,
 * and a seeded stream of operations (static tenants created, scaled, deleted; pods created and deleted
 * in the dynamic tenants; API and Metal3 faults; site outages; replica kills, restarts and hot reloads).
 * Then quiescence, first with site-b cut off (everything elsewhere converges, site-b's NodeTypes show
 * Unavailable), then with it back (every claim Available or Failed, pools honoured, every pod that fits
 * served, nothing leaked); the workloads end (every dynamic node consolidated, its host available);
 * and teardown (Metal3 faults cleared, Failed claims retried, all pools to zero: every host available,
 * nothing generated left).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import { startWorld, type World } from '../../lab/world.js';
import { readClusterPatiently, type ClusterSnapshot } from './cluster.js';
import { DynamicTenants } from './dynamicTenants.js';
import { FaultDriver, type Counts } from './faultDriver.js';
import { checkClean, checkConverged, checkExclusive, checkLeaks, type DesiredPools } from './invariants.js';
import { InvariantMonitor } from './monitor.js';
import { checkConsolidated, checkPodsServed, checkPoolLimits } from './poolInvariants.js';
import { Rng } from './prng.js';
import { CHAOS_LEASE, ReplicaSet } from './replicas.js';
import { Operations, SLOTS, siteOfType, type Op } from './operations.js';
import { checkOutage, checkSitePlacement, checkSiteTypes, withoutSite } from './siteInvariants.js';
import { TenantDriver, type Pool } from './tenants.js';
import { deadlineIn } from '../support/testDeadline.js';
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
  /** Site outages by site (the ones during the run and the one at quiescence). */
  siteOutages: Counts;
  /** Pods the run created (GPU jobs, CPU pods, of them finishing on their own) and deleted in the dynamic tenants, and the hosts their pools claimed. */
  dynamicPods: Counts;
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
const SITES = 2;
/**
 * The replicas' lease (renewed every 2 s, lost after 4 s without a renewal). Three API servers, two
 * Metal3 simulators, the tenants and two replicas share one process on a loaded machine: with a 2 s lease
 * a renewal that waited on the busy event loop lost the lease every second or two and the leader flapped
 * for the whole run, so little was reconciled at all.
 */
const LEASE_MS = Number(process.env.CHAOS_LEASE_MS ?? 6000);
/** The site cut off during the first part of quiescence. */
const LOST_SITE = 'site-b';
/** The tenant whose one claim is held in LOST_SITE from the start (operations.ts leaves site-b's GPU type to it). */
const HELD = { tenant: 'held-b', pools: [{ name: 'gpu-b', nodeType: 'site-b-gpu-h100', quantity: 1 }] as Pool[] };
/** A site outage with a leader for this long must have turned the site's NodeTypes Unavailable. */
const NOTICE_MS = 3000;

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const say = (line: string) => opts.say?.(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s  ${line}`);
  const rng = new Rng(opts.seed);
  await mkdir(opts.rootDir, { recursive: true });
  const dir = await mkdtemp(join(opts.rootDir, `chaos-${opts.seed}-`));
  const report: ChaosReport = {
    seed: opts.seed, durationMs: 0, operations: {}, apiFaults: {}, metal3Faults: {}, siteOutages: {}, dynamicPods: {},
    replicas: { kills: 0, restarts: 0, reloads: 0, reloadFailures: 0, leaseTransitions: 0 }, monitorReads: 0, admissionDenials: {}, atQuiescence: {}, violations: [],
  };
  let world: World | undefined;
  let replicas: ReplicaSet | undefined;
  let monitor: InvariantMonitor | undefined;
  let faults: FaultDriver | undefined;
  let dynamic: DynamicTenants | undefined;
  try {
    // No Netris: the run's pools name no tenant network.
    world = await startWorld({ dir, timings: 'test', logger: opts.logger, sites: SITES, netris: false });
    await world.platform.stop(); // hands the lease back; the replicas below use a short one
    replicas = new ReplicaSet({ world, leaseDurationMs: LEASE_MS, logger: opts.logger });
    for (const slot of SLOTS) await replicas.start(slot);
    const tenants = new TenantDriver(world.kubeConfig, PROJECT);
    await tenants.ensureNamespace();
    const w = world;
    await waitFor(async () => (await readClusterPatiently(w)).hosts.every((h) => h.state === 'available'), { what: 'the fleet to be available', timeoutMs: 60_000, everyMs: 100 });

    faults = new FaultDriver(world, rng);
    const f = faults;
    dynamic = new DynamicTenants(world, tenants, rng);
    await dynamic.create();
    const limits = dynamic.limits();
    const r = replicas;
    monitor = new InvariantMonitor({
      world, intervalMs: 400, leakGraceMs: 30_000, exemptHosts: () => f.everHung, limits, outages: () => f.outages, leaders: () => r.leaders().length,
    });
    monitor.start();
    // One tenant holds a host in site-b for the whole run, through every site-b outage (the seeded
    // operations never touch it): its claim must never be claimed again elsewhere, and must converge.
    await tenants.create(HELD.tenant, HELD.pools);
    const desired = new Map<string, Pool[]>();
    const ops = new Operations({ world, rng, replicas, tenants, faults, dynamic, desired, counts: report, say });
    const steps = opts.quick ? 30 : 90;
    // The first steps are fixed kinds (so every seed injects API and Metal3 faults, runs pods in the
    // dynamic tenants, kills the leader mid-provision and cuts a site off); their details, and
    // everything after, come from the seed.
    const forced: Record<number, Op> = { 0: 'createTenant', 1: 'apiFaults', 2: 'metal3Fault', 3: 'createTenant', 4: 'createPod', 5: 'createPod', 6: 'killReplica', 8: 'siteOutage' };
    for (let i = 0; i < steps; i++) {
      await sleep(rng.int(50, opts.quick ? 250 : 400));
      await ops.step(forced[i]);
    }

    say('quiescing: API faults and Metal3 hangs cleared, both replicas up, sites back');
    faults.clearApiFaults();
    faults.clearHangs();
    for (const slot of SLOTS) if (!replicas.get(slot)) await ops.restart(slot);
    await faults.restoreSites();
    const settleMs = opts.quick ? 60_000 : 120_000;
    const requested = () => new Map([...desired, [HELD.tenant, HELD.pools]]);
    const wanted = desiredPools(requested());
    const otherTenants = new Set(dynamic.names().map((name) => `${PROJECT}/${name}`));
    const sites = world.sites.map((x) => x.name);

    say(`quiescing with ${LOST_SITE} cut off: claims elsewhere converge, ${LOST_SITE}'s NodeTypes are Unavailable`);
    await faults.cutSite(LOST_SITE);
    const poolSite = poolSites(requested());
    const elsewhere = await settle(world, settleMs, (s) => [
      ...checkConverged(withoutSite(s, LOST_SITE, poolSite), desiredPools(requested(), (p) => siteOfType(p.nodeType) !== LOST_SITE), f.provisioningFaulted, otherTenants),
      ...checkSiteTypes(s, sites, new Set([LOST_SITE])), ...checkExclusive(s), ...checkSitePlacement(s), ...checkPoolLimits(s, limits),
    ]);
    report.violations.push(...elsewhere.map((v) => `at quiescence with ${LOST_SITE} out: ${v}`));

    say(`${LOST_SITE} back: every claim converges, every pod that fits is served`);
    await faults.restoreSites();
    const quiet = await settle(world, settleMs, (s) => [
      ...checkConverged(s, wanted, f.provisioningFaulted, otherTenants), ...checkSiteTypes(s, sites, new Set()), ...checkPodsServed(s),
      ...checkExclusive(s), ...checkSitePlacement(s), ...checkPoolLimits(s, limits), ...checkLeaks(s, new Map(), Date.now(), 0),
    ]);
    report.violations.push(...quiet.map((v) => `at quiescence: ${v}`));
    for (const c of (await readClusterPatiently(world)).claims) report.atQuiescence[c.phase ?? 'none'] = (report.atQuiescence[c.phase ?? 'none'] ?? 0) + 1;

    say('the workloads end: every pod of the dynamic tenants deleted, their nodes consolidated');
    await dynamic.deleteAllPods();
    const m = monitor;
    const consolidated = await settle(world, settleMs, (s) => [...checkConsolidated(s, limits, m.heldHosts), ...checkExclusive(s)]);
    report.violations.push(...consolidated.map((v) => `after the workloads ended: ${v}`));

    say('tearing down: Metal3 faults cleared, pools to zero, Failed claims deleted');
    faults.clearMetal3Faults();
    for (const [name, pools] of requested()) {
      if (rng.chance(0.5)) await tenants.delete(name);
      else await tenants.scale(name, pools.map((p) => ({ ...p, quantity: 0 })));
    }
    for (const name of dynamic.names()) await tenants.delete(name);
    const snapshot = await readClusterPatiently(world);
    for (const c of snapshot.claims.filter((x) => x.phase === 'Failed')) await tenants.deleteClaim(c.name);
    const leftovers = await settle(world, settleMs, (s) => [...checkClean(s), ...checkExclusive(s)]);
    report.violations.push(...leftovers.map((v) => `after teardown: ${v}`));
    const lease = await world.kubeConfig.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: CHAOS_LEASE.leaseName, namespace: CHAOS_LEASE.namespace });
    report.replicas.leaseTransitions = lease.spec?.leaseTransitions ?? 0;
  } catch (err) {
    report.violations.push(`run aborted: ${(err as Error).message}`);
  } finally {
    await monitor?.stop();
    if (monitor) {
      report.monitorReads = monitor.reads;
      report.dynamicPods.nodesClaimed = monitor.heldHosts.size;
      report.violations.unshift(...[...monitor.violations].map((v) => `during the run: ${v}`));
    }
    if (faults) {
      Object.assign(report.apiFaults, faults.api);
      Object.assign(report.metal3Faults, faults.metal3);
      Object.assign(report.siteOutages, faults.sites);
      report.violations.push(...faults.outages.flatMap((o) => checkOutage(o, NOTICE_MS)).map((v) => `during the run: ${v}`));
      await faults.dispose();
    }
    if (dynamic) Object.assign(report.dynamicPods, dynamic.counts);
    await replicas?.stopAll();
    if (world) report.admissionDenials = world.api.admission.denials();
    await world?.stop();
    report.durationMs = Date.now() - started;
    if (report.violations.length === 0) await rm(dir, { recursive: true, force: true });
    else report.keptDir = dir;
  }
  return report;
}

function desiredPools(desired: Map<string, Pool[]>, keep: (p: Pool) => boolean = () => true): DesiredPools {
  return new Map([...desired].map(([name, pools]) => [`${PROJECT}/${name}`, new Map(pools.filter(keep).map((p) => [p.name, p.quantity]))]));
}

/** The site a static pool's claim is bound to (its pool's node type), by `project/tenant/pool`. */
function poolSites(desired: Map<string, Pool[]>): (c: { namespace: string; tenant?: string; pool?: string }) => string | undefined {
  const sites = new Map([...desired].flatMap(([name, pools]) => pools.map((p): [string, string] => [`${PROJECT}/${name}/${p.name}`, siteOfType(p.nodeType)])));
  return (c) => sites.get(`${c.namespace}/${c.tenant}/${c.pool}`);
}

/** Waits until `problems` finds none; returns the last problems found on timeout. */
async function settle(world: World, timeoutMs: number, problems: (s: ClusterSnapshot) => string[]): Promise<string[]> {
  const deadline = deadlineIn(timeoutMs);
  let last: string[] = ['never read the cluster'];
  while (Date.now() < deadline) {
    last = problems(await readClusterPatiently(world));
    if (last.length === 0) return [];
    await sleep(250);
  }
  return last;
}

