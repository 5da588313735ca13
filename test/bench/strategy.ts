/** What the burst runner needs from a way of claiming hosts: the plugin, or the CAPM3-style baseline. */
import type { Logger, NodeClaimView } from '../../plugin/contract.js';

export interface ClaimStrategy {
  readonly name: 'plugin' | 'baseline';
  /** Everything before the measured burst (activation, first LIST, informer sync). */
  warmUp(): Promise<void>;
  createNode(claim: NodeClaimView): Promise<void>;
  /** 409 Conflicts answered to host claim writes so far. */
  conflicts(): number;
  /** Time spent choosing a host (eligibility + choice), one entry per choice, in ms. */
  selectionMs(): number[];
  dispose(): Promise<void>;
}

/**
 * A logger that keeps nothing but counts of messages, so logging costs the burst next to nothing and
 * no secret can reach a file. `count('lost the race…')` is how host 409s of the plugin are counted.
 */
export class CountingLogger implements Logger {
  constructor(private readonly counts: Map<string, number> = new Map()) {}
  private note(obj: object | string, msg?: string): void {
    const key = msg ?? (typeof obj === 'string' ? obj : '');
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  debug(obj: object | string, msg?: string) { this.note(obj, msg); }
  info(obj: object | string, msg?: string) { this.note(obj, msg); }
  warn(obj: object | string, msg?: string) { this.note(obj, msg); }
  error(obj: object | string, msg?: string) { this.note(obj, msg); }
  child(): Logger {
    return this;
  }
  count(msg: string): number {
    return this.counts.get(msg) ?? 0;
  }
}
