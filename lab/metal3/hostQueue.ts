/**
 * A work queue keyed by host: one pending timer per host (the earliest requested wins), one reconcile per host at a
 * time, and a bounded number of reconciles in flight. Idle hosts cost nothing: no polling.
 */
export class HostQueue {
  private readonly timers = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  private readonly ready = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly handler: (host: string) => Promise<void>,
    private readonly workers: number,
  ) {}

  /** Reconcile `host` after `delayMs` (0 = as soon as a worker is free). An earlier pending request is kept. */
  enqueue(host: string, delayMs = 0): void {
    if (this.stopped) return;
    const pending = this.timers.get(host);
    if (delayMs <= 0) {
      if (pending) {
        clearTimeout(pending.timer);
        this.timers.delete(host);
      }
      this.makeReady(host);
      return;
    }
    if (this.ready.has(host)) return;
    const due = Date.now() + delayMs;
    if (pending && pending.due <= due) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(host);
      this.makeReady(host);
    }, delayMs);
    this.timers.set(host, { due, timer });
  }

  /** Drops pending work for a host (it was deleted). A reconcile in flight finishes. */
  forget(host: string): void {
    const pending = this.timers.get(host);
    if (pending) clearTimeout(pending.timer);
    this.timers.delete(host);
    this.ready.delete(host);
    this.dirty.delete(host);
  }

  /** Cancels all timers and waits for reconciles in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.clear();
    this.dirty.clear();
    if (this.active.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  private makeReady(host: string): void {
    if (this.stopped) return;
    if (this.active.has(host)) {
      this.dirty.add(host);
      return;
    }
    this.ready.add(host);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.active.size < this.workers && this.ready.size > 0) {
      const host = this.ready.values().next().value as string;
      this.ready.delete(host);
      this.active.add(host);
      void this.handler(host).finally(() => {
        this.active.delete(host);
        if (this.dirty.delete(host)) this.makeReady(host);
        if (this.active.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
        this.pump();
      });
    }
  }
}
