/**
 * Checks the always-true invariants on a poll while the chaos run goes on: exclusivity (hosts, IPs,
 * tokens) on every read, and leaks with a grace window (a release waits for Metal3 cleaning).
 */
import type { World } from '../../lab/world.js';
import { readCluster, type ClusterSnapshot } from './cluster.js';
import { checkExclusive, checkLeaks } from './invariants.js';

export interface MonitorOptions {
  world: World;
  intervalMs: number;
  leakGraceMs: number;
  /** Claims whose host hung: they legitimately keep resources until the hang is cleared. */
  exemptHosts: () => Set<string>;
}

export class InvariantMonitor {
  readonly violations = new Set<string>();
  reads = 0;
  private readonly orphanSince = new Map<string, number>();
  private running = true;
  private loop?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;

  constructor(private readonly opts: MonitorOptions) {}

  start(): void {
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
    const found = [...checkExclusive(s), ...checkLeaks(s, this.orphanSince, Date.now(), leakGraceMs, this.exemptClaims(s))];
    for (const v of found) this.violations.add(v);
    return found;
  }

  private exemptClaims(s: ClusterSnapshot): Set<string> {
    const hung = this.opts.exemptHosts();
    return new Set(s.hosts.filter((h) => hung.has(h.name)).flatMap((h) => [h.claimLabel, h.consumerUid]).filter((u): u is string => Boolean(u)));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        this.check(await readCluster(this.opts.world));
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
