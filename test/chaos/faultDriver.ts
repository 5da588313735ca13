/**
 * Injects the chaos run's faults from the seeded PRNG and counts what was actually injected: API
 * faults (latency, 5xx, 429 with Retry-After, 504, dropped watches, 410 Gone) through the lab API's
 * FaultInjector, and Metal3 faults (provisioning errors, cleaning failures, hangs) per host.
 */
import type { FaultPlan } from '../../lab/metal3/index.js';
import type { World } from '../../lab/world.js';
import type { Rng } from './prng.js';

export type Counts = Record<string, number>;

function bump(counts: Counts, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

export class FaultDriver {
  /** What the API actually failed or delayed, by kind. */
  readonly api: Counts = {};
  readonly metal3: Counts = {};
  /** Hosts with a permanent provisioning error: a claim landing there must end Failed. */
  readonly provisioningFaulted = new Set<string>();
  /** Hosts that hung at some point: their claims may legitimately hold resources until the hang is cleared. */
  readonly everHung = new Set<string>();
  private readonly plans = new Map<string, FaultPlan>();
  private readonly restore: (() => void)[] = [];

  constructor(private readonly world: World, private readonly rng: Rng) {
    this.countApiFaults();
  }

  /** A new random API fault profile (or, sometimes, none). */
  shuffleApiFaults(mustInject = false): string {
    const r = this.rng;
    if (!mustInject && r.chance(0.25)) {
      this.world.api.faults.clear();
      return 'cleared';
    }
    const p = 0.01 + r.next() * 0.05;
    this.world.api.faults.set({
      seed: r.int(1, 1_000_000),
      latencyMs: { min: 0, max: r.int(2, 30) },
      errorRate: { CREATE: p, UPDATE: p, PATCH: p, DELETE: p, GET: p / 2, LIST: p / 2 },
      throttleRate: r.next() * 0.03,
      timeoutRate: r.next() * 0.02,
      watchDropAfterMs: r.int(300, 3000),
      goneRate: r.next() * 0.1,
    });
    return `p=${p.toFixed(3)}`;
  }

  dropWatches(): void {
    this.world.api.dropWatches();
    bump(this.api, 'watchesDroppedAtOnce');
  }

  clearApiFaults(): void {
    this.world.api.faults.clear();
  }

  /** One Metal3 fault on a random host; `available` lists hosts free to be claimed (provisioning errors go there). */
  injectMetal3Fault(hosts: { name: string; available: boolean }[]): string | undefined {
    const kind = this.rng.weighted({ provisioningError: 2, cleaningFailure: 2, hang: 1 });
    const candidates = hosts.filter((h) => !this.plans.has(h.name) && (kind !== 'provisioningError' || h.available));
    // At most two hosts with a permanent provisioning error, so pools can still be satisfied.
    if (candidates.length === 0 || (kind === 'provisioningError' && this.provisioningFaulted.size >= 2)) return undefined;
    const host = this.rng.pick(candidates).name;
    let plan: FaultPlan;
    if (kind === 'provisioningError') {
      plan = { provisioningError: { message: 'Image checksum mismatch (chaos)' } };
      this.provisioningFaulted.add(host);
    } else if (kind === 'cleaningFailure') {
      plan = { cleaningFailure: { times: this.rng.int(1, 3), message: 'cleaning step failed (chaos)' } };
    } else {
      plan = { hang: { state: this.rng.pick(['provisioning', 'deprovisioning']) } };
      this.everHung.add(host);
    }
    this.plans.set(host, plan);
    this.world.simulator.setFaultPlan(host, plan);
    bump(this.metal3, kind);
    return `${kind} on ${host}`;
  }

  /** Hangs end (the stuck host resumes); other faults stay. */
  clearHangs(): void {
    for (const [host, plan] of this.plans) {
      if (!plan.hang) continue;
      this.plans.delete(host);
      this.world.simulator.setFaultPlan(host, undefined);
    }
  }

  clearMetal3Faults(): void {
    for (const host of this.plans.keys()) this.world.simulator.setFaultPlan(host, undefined);
    this.plans.clear();
  }

  /** Puts the API's injector back as it was (the counting wrappers off). */
  dispose(): void {
    this.world.api.faults.clear();
    for (const undo of this.restore.splice(0)) undo();
  }

  /** Wraps the injector's decisions to count them; the decisions themselves are unchanged. */
  private countApiFaults(): void {
    const faults = this.world.api.faults;
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
