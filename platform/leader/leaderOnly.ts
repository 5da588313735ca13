/**
 * The controllers that must run on one replica at a time (autoNodes, NodeClaims, orphans): started
 * afresh each time this replica becomes leader, stopped (in-flight provider calls aborted) when it
 * stops leading. A new set per term, so nothing from a lost term (queues, backoffs) leaks into the next.
 */
import type { Logger } from '../../plugin/contract.js';

export interface Stoppable { stop(): Promise<void> }

export class LeaderOnlyControllers {
  private running: Stoppable[] = [];

  constructor(private readonly starters: (() => Promise<Stoppable>)[], private readonly logger: Logger) {}

  get active(): boolean {
    return this.running.length > 0;
  }

  async start(): Promise<void> {
    if (this.running.length > 0) return;
    try {
      for (const start of this.starters) this.running.push(await start());
    } catch (err) {
      // Half a set must not keep running: stop what started and let the next term try again.
      await this.stop();
      throw err;
    }
    this.logger.info({ controllers: this.running.length }, 'leader controllers started');
  }

  async stop(): Promise<void> {
    const running = this.running.splice(0).reverse();
    // Abort all at once (each stop aborts its calls first), then wait for them to wind down.
    const results = await Promise.allSettled(running.map((c) => c.stop()));
    for (const r of results) {
      if (r.status === 'rejected') this.logger.error({ err: String((r.reason as Error)?.message ?? r.reason) }, 'leader controller failed to stop');
    }
    if (running.length > 0) this.logger.info({}, 'leader controllers stopped');
  }
}
