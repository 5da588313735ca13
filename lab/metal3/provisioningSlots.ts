/**
 * BMO's PROVISIONING_LIMIT: at most `limit` hosts actively inspecting, provisioning or deprovisioning. A host over
 * the limit stays in its state with operationalStatus `delayed` and waits (FIFO) for a slot.
 */
export class ProvisioningSlots {
  private readonly holders = new Set<string>();
  private readonly waiting = new Set<string>();

  /** `wake` is called with hosts that may now get a slot. */
  constructor(private readonly limit: number, private readonly wake: (host: string) => void) {}

  /** True when `host` holds or just got a slot; otherwise it joins the wait list. */
  acquire(host: string): boolean {
    if (this.holders.has(host)) return true;
    if (this.holders.size < this.limit && (this.waiting.size === 0 || this.isNextWaiter(host))) {
      this.waiting.delete(host);
      this.holders.add(host);
      return true;
    }
    this.waiting.add(host);
    return false;
  }

  /** The host left the gated states (or was deleted): free its slot and wake waiters for the free slots. */
  release(host: string): void {
    this.waiting.delete(host);
    if (this.holders.delete(host)) this.wakeWaiters();
  }

  /** A waiter that no longer needs a slot must not block the ones behind it. */
  withdraw(host: string): void {
    if (this.waiting.delete(host)) this.wakeWaiters();
  }

  get inUse(): number {
    return this.holders.size;
  }

  private isNextWaiter(host: string): boolean {
    let free = this.limit - this.holders.size;
    for (const w of this.waiting) {
      if (w === host) return true;
      if (--free <= 0) return false;
    }
    return false;
  }

  private wakeWaiters(): void {
    let free = this.limit - this.holders.size;
    for (const w of this.waiting) {
      if (free-- <= 0) break;
      this.wake(w);
    }
  }
}
