/** Request counters for the bench and tests: requests per verb (and per resource), bytes sent, time spent in handlers. */
import type { Verb } from './types.js';

export interface StatsSnapshot {
  requests: Record<Verb, number>;
  /** Plural resource name (e.g. `nodeclaims`) -> requests per verb. */
  byResource: Record<string, Record<Verb, number>>;
  totalRequests: number;
  bytesSent: number;
  handlerMs: number;
  openWatches: number;
}

const VERBS: Verb[] = ['LIST', 'GET', 'WATCH', 'CREATE', 'UPDATE', 'PATCH', 'DELETE'];

function zeroCounts(): Record<Verb, number> {
  return Object.fromEntries(VERBS.map((v) => [v, 0])) as Record<Verb, number>;
}

export class ApiStats {
  private requests = zeroCounts();
  private byResource = new Map<string, Record<Verb, number>>();
  private bytes = 0;
  private handlerNs = 0n;
  openWatches = 0;

  countRequest(verb: Verb, resource?: string): void {
    this.requests[verb]++;
    if (resource === undefined) return;
    let counts = this.byResource.get(resource);
    if (!counts) this.byResource.set(resource, (counts = zeroCounts()));
    counts[verb]++;
  }

  countBytes(n: number): void {
    this.bytes += n;
  }

  addHandlerTime(startNs: bigint): void {
    this.handlerNs += process.hrtime.bigint() - startNs;
  }

  reset(): void {
    this.requests = zeroCounts();
    this.byResource = new Map();
    this.bytes = 0;
    this.handlerNs = 0n;
  }

  snapshot(): StatsSnapshot {
    const requests = { ...this.requests };
    return {
      requests,
      byResource: Object.fromEntries([...this.byResource].map(([r, c]) => [r, { ...c }])),
      totalRequests: VERBS.reduce((s, v) => s + requests[v], 0),
      bytesSent: this.bytes,
      handlerMs: Number(this.handlerNs) / 1e6,
      openWatches: this.openWatches,
    };
  }
}
