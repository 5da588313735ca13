/**
 * Lets low-priority writes (Events) give way to the work that decides something (a provisioning
 * pass creating NodeClaims): `during(work)` counts the work in progress; `quiet()` resolves once none
 * is, or after `maxWaitMs` at the latest, so what waits is delayed, never starved or lost. One
 * process, one event loop: an Event written while NodeClaims are being created takes CPU and sockets
 * from the creates, though nothing awaits the Event.
 */
export class BusyGate {
  private busy = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly maxWaitMs: number) {}

  async during<T>(work: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await work();
    } finally {
      if (--this.busy === 0) for (const release of [...this.waiters]) release();
    }
  }

  quiet(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.waiters.delete(release);
        resolve();
      };
      const timer = setTimeout(release, this.maxWaitMs);
      timer.unref();
      this.waiters.add(release);
    });
  }
}
