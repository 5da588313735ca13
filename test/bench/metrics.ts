/** Measuring helpers: percentiles, a peak-RSS sampler, and heap use after a full GC. */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Samples `process.memoryUsage().rss` every `intervalMs` and keeps the peak; stop() ends it. */
export class RssSampler {
  private peakBytes = process.memoryUsage().rss;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 25) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    this.peakBytes = Math.max(this.peakBytes, process.memoryUsage().rss);
  }

  /** Stops sampling and returns the peak RSS in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peakBytes;
  }
}

export { heapUsedAfterGc } from '../support/heap.js';

export const MiB = 1024 * 1024;

/**
 * Counts HTTP statuses answered by servers in this process (the lab API server is the only one) by
 * wrapping ServerResponse.writeHead until stop(). This is how 409s (Conflict and AlreadyExists) are
 * counted for both strategies, whatever the provider logs.
 */
export class StatusCounter {
  private readonly counts = new Map<number, number>();
  private readonly restore: () => void;

  constructor(proto: { writeHead: (...args: never[]) => unknown }) {
    const original = proto.writeHead;
    const counts = this.counts;
    proto.writeHead = function countedWriteHead(this: unknown, ...args: never[]) {
      const code = Number(args[0]);
      counts.set(code, (counts.get(code) ?? 0) + 1);
      return original.apply(this, args);
    } as typeof original;
    this.restore = () => {
      proto.writeHead = original;
    };
  }

  count(code: number): number {
    return this.counts.get(code) ?? 0;
  }

  stop(): void {
    this.restore();
  }
}
