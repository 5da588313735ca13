/**
 * Watch fan-out and replay history. Each committed change becomes one WatchEvent, serialised at most
 * once per event type and shared by every watcher; per resource, the last N events sit in a ring buffer
 * so a watch can resume from a resourceVersion, and older requests get 410 Expired.
 */
import type { KubeObject } from './types.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export class WatchEvent {
  private lines: Partial<Record<EventType, string>> = {};

  constructor(
    readonly type: EventType,
    readonly rv: number,
    readonly namespace: string,
    readonly object: KubeObject,
    /** The object before this change (MODIFIED only): needed to tell selector transitions apart. */
    readonly previous: KubeObject | undefined,
    private readonly objectJson: () => string,
  ) {}

  /** `{"type":T,"object":...}\n`, built once per type and shared across watchers. */
  line(type: EventType = this.type): string {
    let l = this.lines[type];
    if (l === undefined) {
      l = `{"type":"${type}","object":${this.objectJson()}}\n`;
      this.lines[type] = l;
    }
    return l;
  }
}

export interface Subscriber {
  namespace?: string;
  deliver(event: WatchEvent): void;
  /** The resource stopped being served (its CRD was deleted): end the stream. */
  end(): void;
}

class Ring {
  private buf: (WatchEvent | undefined)[];
  private start = 0;
  private size = 0;
  /** resourceVersion of the newest event that fell out of the window (0 = nothing lost yet). */
  evictedRv = 0;

  constructor(private readonly capacity: number) {
    this.buf = new Array(Math.max(1, capacity));
  }

  push(e: WatchEvent): void {
    if (this.size < this.buf.length) {
      this.buf[(this.start + this.size) % this.buf.length] = e;
      this.size++;
      return;
    }
    this.evictedRv = this.buf[this.start]!.rv;
    this.buf[this.start] = e;
    this.start = (this.start + 1) % this.buf.length;
  }

  /** Events with rv > after, oldest first. */
  since(after: number): WatchEvent[] {
    const out: WatchEvent[] = [];
    // Binary search would be faster; replays are rare and bounded by capacity.
    for (let i = 0; i < this.size; i++) {
      const e = this.buf[(this.start + i) % this.buf.length]!;
      if (e.rv > after) out.push(e);
    }
    return out;
  }
}

export class WatchHub {
  private rings = new Map<string, Ring>();
  private subscribers = new Map<string, Set<Subscriber>>();

  constructor(private readonly historySize: number) {}

  publish(resource: string, event: WatchEvent): void {
    let ring = this.rings.get(resource);
    if (!ring) {
      ring = new Ring(this.historySize);
      this.rings.set(resource, ring);
    }
    ring.push(event);
    const subs = this.subscribers.get(resource);
    if (!subs) return;
    for (const s of subs) {
      if (s.namespace === undefined || s.namespace === event.namespace) s.deliver(event);
    }
  }

  /** Events after `rv` for replay, or 'expired' when some of them are no longer retained. */
  replay(resource: string, rv: number): WatchEvent[] | 'expired' {
    const ring = this.rings.get(resource);
    if (!ring) return [];
    if (rv < ring.evictedRv) return 'expired';
    return ring.since(rv);
  }

  /** Ends every watch on `resource` and forgets its history. */
  endResource(resource: string): void {
    for (const s of [...(this.subscribers.get(resource) ?? [])]) s.end();
    this.subscribers.delete(resource);
    this.rings.delete(resource);
  }

  subscribe(resource: string, sub: Subscriber): () => void {
    let subs = this.subscribers.get(resource);
    if (!subs) {
      subs = new Set();
      this.subscribers.set(resource, subs);
    }
    subs.add(sub);
    return () => subs!.delete(sub);
  }
}
