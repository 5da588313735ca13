/**
 * A keyed work queue: each key runs at most once at a time, is scheduled by its own timer (so nothing
 * polls over all keys), and backs off exponentially while its handler throws.
 */
export type ReconcileResult = { requeueAfterMs?: number } | void;

export interface WorkQueueOptions {
  concurrency?: number;
  errorBackoff?: { initialMs: number; maxMs: number };
  onError?: (key: string, err: unknown) => void;
}

interface KeyState {
  timer?: NodeJS.Timeout;
  dueAt?: number;
  running: boolean;
  dirty: boolean;
  failures: number;
}

export class WorkQueue {
  private readonly keys = new Map<string, KeyState>();
  private readonly ready: string[] = [];
  private active = 0;
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly handler: (key: string) => Promise<ReconcileResult>,
    private readonly opts: WorkQueueOptions = {},
  ) {}

  /** Runs `key` after `delayMs` (0 = now). An earlier schedule wins over a later one. */
  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    const state = this.state(key);
    if (state.running) {
      if (delayMs <= 0) state.dirty = true;
      else this.schedule(key, state, delayMs);
      return;
    }
    if (delayMs <= 0) {
      clearTimeout(state.timer);
      state.timer = undefined;
      state.dueAt = undefined;
      if (!this.ready.includes(key)) this.ready.push(key);
      this.pump();
      return;
    }
    this.schedule(key, state, delayMs);
  }

  /** Forgets a key (its object is gone): cancels its timer and backoff. */
  forget(key: string): void {
    const state = this.keys.get(key);
    if (!state) return;
    clearTimeout(state.timer);
    if (!state.running) this.keys.delete(key);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.keys.values()) clearTimeout(s.timer);
    this.ready.length = 0;
    if (this.active > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private schedule(key: string, state: KeyState, delayMs: number): void {
    const dueAt = Date.now() + delayMs;
    if (state.timer && state.dueAt !== undefined && state.dueAt <= dueAt) return;
    clearTimeout(state.timer);
    state.dueAt = dueAt;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.dueAt = undefined;
      this.add(key, 0);
    }, delayMs);
  }

  private state(key: string): KeyState {
    let s = this.keys.get(key);
    if (!s) {
      s = { running: false, dirty: false, failures: 0 };
      this.keys.set(key, s);
    }
    return s;
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 4;
    while (!this.stopped && this.active < limit && this.ready.length > 0) {
      const key = this.ready.shift()!;
      const state = this.state(key);
      if (state.running) {
        state.dirty = true;
        continue;
      }
      void this.run(key, state);
    }
  }

  private async run(key: string, state: KeyState): Promise<void> {
    this.active++;
    state.running = true;
    state.dirty = false;
    let next: number | undefined;
    try {
      const result = await this.handler(key);
      state.failures = 0;
      next = result?.requeueAfterMs;
    } catch (err) {
      state.failures++;
      const b = this.opts.errorBackoff ?? { initialMs: 200, maxMs: 30_000 };
      next = Math.min(b.maxMs, b.initialMs * 2 ** (state.failures - 1));
      this.opts.onError?.(key, err);
    } finally {
      state.running = false;
      this.active--;
    }
    if (!this.stopped) {
      if (state.dirty) this.add(key, 0);
      else if (next !== undefined) this.add(key, next);
    }
    if (this.active === 0 && this.stopped) this.idleWaiters.splice(0).forEach((r) => r());
    this.pump();
  }
}
