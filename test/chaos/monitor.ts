/**
 * Checks the always-true invariants on a poll while the chaos run goes on: exclusivity (hosts, IPs,
 * tokens; across sites too) and site placement on every read, dynamic pools within their limits, leaks
 * with a grace window (a release waits for Metal3 cleaning); and it follows each site outage in progress
 * (were the site's NodeTypes seen Unavailable, how long did a replica lead meanwhile).
 */
import type { World } from '../../lab/world.js';
import { readCluster, type ClusterSnapshot } from './cluster.js';
import { checkExclusive, checkLeaks } from './invariants.js';
import { checkPoolLimits, recordHeldHosts, type HeldHosts, type PoolLimits } from './poolInvariants.js';
import { checkSitePlacement, observeOutage, type Outage } from './siteInvariants.js';

export interface MonitorOptions {
  world: World;
  intervalMs: number;
  leakGraceMs: number;
  /** Claims whose host hung: they legitimately keep resources until the hang is cleared. */
  exemptHosts: () => Set<string>;
  /** The dynamic pools and their limits. */
  limits: PoolLimits;
  /** Outages injected so far (the ones without `endedAt` are in progress). */
  outages: () => Outage[];
  /** How many platform replicas lead right now. */
  leaders: () => number;
}

export class InvariantMonitor {
  readonly violations = new Set<string>();
  /** The host each dynamic-pool claim held, for the consolidation check at the end. */
  readonly heldHosts: HeldHosts = new Map();
  reads = 0;
  private readonly orphanSince = new Map<string, number>();
  private lastObservedAt = Date.now();
  private running = true;
  private loop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(private readonly opts: MonitorOptions) {}

  start(): void {
    this.lastObservedAt = Date.now();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  /** Applies the checks to one snapshot (also used for the final read). */
  check(s: ClusterSnapshot, leakGraceMs = this.opts.leakGraceMs): string[] {
    const found = [
      ...checkExclusive(s), ...checkSitePlacement(s), ...checkPoolLimits(s, this.opts.limits),
      ...checkLeaks(s, this.orphanSince, Date.now(), leakGraceMs, this.exemptClaims(s)),
    ];
    for (const v of found) this.violations.add(v);
    recordHeldHosts(s, this.opts.limits, this.heldHosts);
    return found;
  }

  private exemptClaims(s: ClusterSnapshot): Set<string> {
    const hung = this.opts.exemptHosts();
    return new Set(s.hosts.filter((h) => hung.has(h.name)).flatMap((h) => [h.claimLabel, h.consumerUid]).filter((u): u is string => Boolean(u)));
  }

  private observe(s: ClusterSnapshot): void {
    const now = Date.now();
    const leaders = this.opts.leaders();
    for (const o of this.opts.outages()) if (o.endedAt === undefined) observeOutage(o, s, leaders, now - this.lastObservedAt);
    this.lastObservedAt = now;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const s = await readCluster(this.opts.world);
        this.check(s);
        this.observe(s);
        this.reads++;
      } catch {
        // An injected API fault: the next poll reads again.
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.opts.intervalMs);
      });
    }
  }
}
