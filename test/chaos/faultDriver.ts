/**
 * Injects the chaos run's faults from the seeded PRNG and counts what was actually injected: API
 * faults (latency, 5xx, 429 with Retry-After, 504, dropped watches, 410 Gone) through the FaultInjector
 * of the management API and of every site's API, Metal3 faults (provisioning errors, cleaning failures,
 * hangs) per host in its site's simulator, and site outages (the WAN link to a site cut for a while).
 */
import type { FaultInjector } from '../../lab/kube/index.js';
import type { FaultPlan, Metal3Simulator } from '../../lab/metal3/index.js';
import type { World } from '../../lab/world.js';
import type { Rng } from './prng.js';
import type { Outage } from './siteInvariants.js';

export type Counts = Record<string, number>;

function bump(counts: Counts, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

/** A host as the fault driver sees it: its site and whether it is free to be claimed. */
export interface FaultableHost { name: string; site: string; available: boolean }

export class FaultDriver {
  /** What the APIs actually failed or delayed, by kind. */
  readonly api: Counts = {};
  readonly metal3: Counts = {};
  /** Site outages injected, per site. */
  readonly sites: Counts = {};
  /** Every outage, in order; the monitor folds its observations into the ones in progress. */
  readonly outages: Outage[] = [];
  /** Hosts with a permanent provisioning error: a claim landing there must end Failed. */
  readonly provisioningFaulted = new Set<string>();
  /** Hosts that hung at some point: their claims may legitimately hold resources until the hang is cleared. */
  readonly everHung = new Set<string>();
  private readonly plans = new Map<string, { plan: FaultPlan; simulator: Metal3Simulator }>();
  private readonly restore: (() => void)[] = [];
  private readonly returns = new Map<Outage, { timer?: NodeJS.Timeout; back: () => Promise<void> }>();

  constructor(private readonly world: World, private readonly rng: Rng) {
    for (const faults of this.injectors()) this.countApiFaults(faults);
  }

  /** A new random API fault profile (or, sometimes, none) on every API, each with its own seed. */
  shuffleApiFaults(mustInject = false): string {
    const r = this.rng;
    if (!mustInject && r.chance(0.25)) {
      this.clearApiFaults();
      return 'cleared';
    }
    const p = 0.01 + r.next() * 0.05;
    const profile = {
      latencyMs: { min: 0, max: r.int(2, 30) },
      errorRate: { CREATE: p, UPDATE: p, PATCH: p, DELETE: p, GET: p / 2, LIST: p / 2 },
      throttleRate: r.next() * 0.03,
      timeoutRate: r.next() * 0.02,
      watchDropAfterMs: r.int(300, 3000),
      goneRate: r.next() * 0.1,
    };
    for (const faults of this.injectors()) faults.set({ ...profile, seed: r.int(1, 1_000_000) });
    return `p=${p.toFixed(3)}`;
  }

  dropWatches(): void {
    this.world.api.dropWatches();
    for (const site of this.world.sites) site.api.dropWatches();
    bump(this.api, 'watchesDroppedAtOnce');
  }

  clearApiFaults(): void {
    for (const faults of this.injectors()) faults.clear();
  }

  /** One Metal3 fault on a random host; `available` lists hosts free to be claimed (provisioning errors go there). */
  injectMetal3Fault(hosts: FaultableHost[]): string | undefined {
    const kind = this.rng.weighted({ provisioningError: 2, cleaningFailure: 2, hang: 1 });
    // At most one host of each kind (GPU, CPU) with a permanent provisioning error, so pools can still be satisfied.
    const faultedKinds = new Set([...this.provisioningFaulted].map(hostKind));
    const candidates = hosts.filter((h) => !this.plans.has(h.name) && (kind !== 'provisioningError' || (h.available && !faultedKinds.has(hostKind(h.name)))));
    if (candidates.length === 0) return undefined;
    const host = this.rng.pick(candidates);
    let plan: FaultPlan;
    if (kind === 'provisioningError') {
      plan = { provisioningError: { message: 'Image checksum mismatch (chaos)' } };
      this.provisioningFaulted.add(host.name);
    } else if (kind === 'cleaningFailure') {
      plan = { cleaningFailure: { times: this.rng.int(1, 3), message: 'cleaning step failed (chaos)' } };
    } else {
      plan = { hang: { state: this.rng.pick(['provisioning', 'deprovisioning']) } };
      this.everHung.add(host.name);
    }
    const simulator = this.simulatorOf(host.site);
    this.plans.set(host.name, { plan, simulator });
    simulator.setFaultPlan(host.name, plan);
    bump(this.metal3, kind);
    return `${kind} on ${host.name}`;
  }

  /** Hangs end (the stuck host resumes); other faults stay. */
  clearHangs(): void {
    for (const [host, { plan, simulator }] of this.plans) {
      if (!plan.hang) continue;
      this.plans.delete(host);
      simulator.setFaultPlan(host, undefined);
    }
  }

  clearMetal3Faults(): void {
    for (const [host, { simulator }] of this.plans) simulator.setFaultPlan(host, undefined);
    this.plans.clear();
  }

  /** Sites whose link is cut right now. */
  sitesOut(): string[] {
    return this.outages.filter((o) => o.endedAt === undefined).map((o) => o.site);
  }

  /**
   * A site outage: the WAN link to a site that is up is cut (the site itself keeps running) and comes
   * back after `forMs`, or when restoreSites() is called; without `forMs` it lasts until then.
   */
  async cutSite(site: string, forMs?: number): Promise<Outage | undefined> {
    const lab = this.world.sites.find((s) => s.name === site);
    if (!lab || this.sitesOut().includes(site)) return undefined;
    const outage: Outage = { site, startedAt: Date.now(), seenUnavailable: false, leaderMs: 0 };
    this.outages.push(outage);
    await lab.link.cut();
    bump(this.sites, site);
    // One return per outage, whether the timer or restoreSites() asks first.
    let returning: Promise<void> | undefined;
    const back = () => (returning ??= (async () => {
      clearTimeout(this.returns.get(outage)?.timer);
      await lab.link.restore();
      outage.endedAt = Date.now();
      this.returns.delete(outage);
    })());
    this.returns.set(outage, { timer: forMs === undefined ? undefined : setTimeout(() => void back(), forMs), back });
    return outage;
  }

  /** Every site that is out comes back now. */
  async restoreSites(): Promise<void> {
    for (const { back } of [...this.returns.values()]) await back();
  }

  /** Puts the APIs' injectors back as they were (the counting wrappers off), the links up. */
  async dispose(): Promise<void> {
    await this.restoreSites();
    this.clearApiFaults();
    for (const undo of this.restore.splice(0)) undo();
  }

  private injectors(): FaultInjector[] {
    return [this.world.api.faults, ...this.world.sites.map((s) => s.api.faults)];
  }

  private simulatorOf(site: string): Metal3Simulator {
    return this.world.sites.find((s) => s.name === site)?.simulator ?? this.world.simulator;
  }

  /** Wraps the injector's decisions to count them; the decisions themselves are unchanged. */
  private countApiFaults(faults: FaultInjector): void {
    const failureFor = faults.failureFor.bind(faults);
    const watchGone = faults.watchGone.bind(faults);
    const latencyFor = faults.latencyFor.bind(faults);
    const watchDropAfterMs = faults.watchDropAfterMs.bind(faults);
    faults.failureFor = (req) => {
      const err = failureFor(req);
      if (err) bump(this.api, `http${err.code}`);
      return err;
    };
    faults.watchGone = (req) => {
      const gone = watchGone(req);
      if (gone) bump(this.api, 'watch410Gone');
      return gone;
    };
    faults.latencyFor = (req) => {
      const ms = latencyFor(req);
      if (ms > 0) bump(this.api, 'delayed');
      return ms;
    };
    faults.watchDropAfterMs = (req) => {
      const ms = watchDropAfterMs(req);
      if (ms !== undefined && req.verb === 'WATCH') bump(this.api, 'watchDropScheduled');
      return ms;
    };
    this.restore.push(() => {
      // Dropping the own properties brings the prototype's methods back.
      for (const key of ['failureFor', 'watchGone', 'latencyFor', 'watchDropAfterMs'] as const) delete (faults as Partial<typeof faults>)[key];
    });
  }
}

/** GPU or CPU server, from the fleet's host names (`<site>-gpu-h100-01`, `<site>-cpu-epyc-01`). */
function hostKind(name: string): string {
  return name.includes('gpu') ? 'gpu' : 'cpu';
}
