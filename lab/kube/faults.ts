/** Deterministic fault injection (seeded PRNG): latency, 5xx, 429, 504, dropped watches, 410 on watch. */
import { ApiError } from './status.js';
import type { Verb } from './types.js';

export interface FaultConfig {
  seed?: number;
  latencyMs?: number | { min: number; max: number };
  errorRate?: Partial<Record<Verb, number>>;
  throttleRate?: number;
  timeoutRate?: number;
  watchDropAfterMs?: number;
  goneRate?: number;
  match?: (req: { verb: Verb; path: string; resource?: string }) => boolean;
}

export interface FaultRequest {
  verb: Verb;
  path: string;
  resource?: string;
}

/** mulberry32: tiny, fast and reproducible for a given seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private config: FaultConfig = {};
  private random: () => number = prng(1);

  constructor(initial?: FaultConfig) {
    if (initial) this.set(initial);
  }

  set(config: FaultConfig): void {
    this.config = { ...config };
    this.random = prng(config.seed ?? 1);
  }

  clear(): void {
    this.set({});
  }

  private applies(req: FaultRequest): boolean {
    return !this.config.match || this.config.match(req);
  }

  /** Milliseconds to delay this request (0 when none). */
  latencyFor(req: FaultRequest): number {
    const l = this.config.latencyMs;
    if (l === undefined || !this.applies(req)) return 0;
    if (typeof l === 'number') return l;
    return l.min + this.random() * (l.max - l.min);
  }

  /** The injected failure for this request, if the dice say so. */
  failureFor(req: FaultRequest): ApiError | undefined {
    if (!this.applies(req)) return undefined;
    const c = this.config;
    const errorRate = c.errorRate?.[req.verb] ?? 0;
    if (errorRate > 0 && this.random() < errorRate) {
      return new ApiError(500, 'InternalError', 'Internal error occurred: injected fault', { causes: [{ field: '', reason: 'UnexpectedServerResponse', message: 'injected fault' }] });
    }
    if ((c.throttleRate ?? 0) > 0 && this.random() < (c.throttleRate ?? 0)) {
      return new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }, { 'Retry-After': '1' });
    }
    if ((c.timeoutRate ?? 0) > 0 && this.random() < (c.timeoutRate ?? 0)) {
      return new ApiError(504, 'Timeout', 'Timeout: request did not complete within the allowed duration', {});
    }
    return undefined;
  }

  watchDropAfterMs(req: FaultRequest): number | undefined {
    return this.applies(req) ? this.config.watchDropAfterMs : undefined;
  }

  watchGone(req: FaultRequest): boolean {
    const rate = this.config.goneRate ?? 0;
    return rate > 0 && this.applies(req) && this.random() < rate;
  }
}
