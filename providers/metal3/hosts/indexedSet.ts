/**
 * A keyed set with O(1) add, delete and access by position (swap-remove), so a picker can start
 * at any position without copying the members. Iteration order is not stable across deletes.
 */
export class IndexedSet<T> {
  private readonly keys: string[] = [];
  private readonly values: T[] = [];
  private readonly positions = new Map<string, number>();

  get size(): number {
    return this.values.length;
  }

  has(key: string): boolean {
    return this.positions.has(key);
  }

  /** Adds or replaces the value under `key`. */
  set(key: string, value: T): void {
    const at = this.positions.get(key);
    if (at !== undefined) {
      this.values[at] = value;
      return;
    }
    this.positions.set(key, this.values.length);
    this.keys.push(key);
    this.values.push(value);
  }

  delete(key: string): boolean {
    const at = this.positions.get(key);
    if (at === undefined) return false;
    const last = this.values.length - 1;
    if (at !== last) {
      this.keys[at] = this.keys[last];
      this.values[at] = this.values[last];
      this.positions.set(this.keys[at], at);
    }
    this.keys.pop();
    this.values.pop();
    this.positions.delete(key);
    return true;
  }

  /** The member at `position` (0 ≤ position < size). */
  at(position: number): T {
    return this.values[position];
  }

  clear(): void {
    this.keys.length = 0;
    this.values.length = 0;
    this.positions.clear();
  }
}
