/**
 * Karpenter's provisioning batch window: the first trigger opens a window; it closes once no trigger
 * came for `idleMs` (1 s) or `maxMs` (10 s) after it opened, whichever is first; then `run` is
 * called once. Triggers while `run` is busy open the next window.
 */
export interface BatchWindow {
  idleMs: number;
  maxMs: number;
}

export const KARPENTER_BATCH: BatchWindow = { idleMs: 1000, maxMs: 10_000 };

export class Batcher {
  private openedAt?: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private pending = false;
  private stopped = false;

  constructor(
    private readonly window: BatchWindow,
    private readonly run: (closedAt: number) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    const now = this.now();
    this.openedAt ??= now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.window.idleMs, this.openedAt + this.window.maxMs - now));
    this.timer = setTimeout(() => this.close(), wait);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private close(): void {
    this.openedAt = undefined;
    this.running = this.run(this.now()).finally(() => {
      this.running = undefined;
      if (this.pending) {
        this.pending = false;
        this.trigger();
      }
    });
  }
}
