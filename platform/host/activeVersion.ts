/** One activated plugin version and the calls currently running on it. */
import type { PluginActivation } from '../../plugin/contract.js';

export class ActiveVersion {
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    /** Manifest version, e.g. `1.2.0`. */
    readonly version: string,
    /** `<version>-<n>`: the folder it was imported from. */
    readonly id: string,
    readonly dir: string,
    readonly activation: PluginActivation,
    readonly configSchema: Record<string, unknown> | undefined,
  ) {}

  get inFlight(): number {
    return this.inflight;
  }

  /** Runs `call` counted as in flight on this version. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    this.inflight += 1;
    try {
      return await call();
    } finally {
      this.inflight -= 1;
      if (this.inflight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Waits until nothing is in flight or `timeoutMs` passed; true when drained. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.inflight === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return drained;
  }
}
