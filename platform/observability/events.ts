/**
 * Writes core/v1 Events for what an operator must see. `record` only enqueues: a background loop
 * does the API calls, so a slow or failing API never blocks a controller. Identical events
 * (same object, type, reason, message) within the aggregation window bump `count` on the existing
 * Event instead of creating a new one, like client-go's EventCorrelator.
 */
import { randomBytes } from 'node:crypto';
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { Clock, EventRecorder, Logger, ObjectRef } from '../../plugin/contract.js';
import { scrubSecrets } from './redaction.js';

export const EVENT_SOURCE_COMPONENT = 'metal3-provider-platform';

interface Pending {
  object: ObjectRef;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** An event as this host recorded it (message already scrubbed), for read-only views. */
export interface RecordedEvent {
  object: ObjectRef;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** ISO time of the (last) recording. */
  at: string;
  /** How often it was recorded in a row (identical object, type, reason and message). */
  count: number;
}

/** How many recorded events the recorder keeps for views. */
const RECENT_EVENTS = 100;

interface Written {
  name: string;
  namespace: string;
  count: number;
  lastSeenMs: number;
}

export interface KubeEventRecorderOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  clock?: Clock;
  /** Identical events closer together than this are aggregated. Default 10 min. */
  aggregationWindowMs?: number;
  /** Bound on queued events; the oldest are dropped (and logged) beyond it. */
  maxQueue?: number;
  /** Awaited before each write, so that Events give way to more important work in flight (runtime/busyGate.ts). */
  giveWay?: () => Promise<void>;
}

export class KubeEventRecorder implements EventRecorder {
  private readonly core: CoreV1Api;
  private readonly queue: Pending[] = [];
  private readonly written = new Map<string, Written>();
  private draining: Promise<void> | undefined;
  private stopped = false;
  private readonly latest: RecordedEvent[] = [];
  private readonly watchers = new Set<() => void>();

  constructor(private readonly opts: KubeEventRecorderOptions) {
    this.core = opts.kubeConfig.makeApiClient(CoreV1Api);
  }

  record(object: ObjectRef, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (this.stopped) return;
    if (this.queue.length >= (this.opts.maxQueue ?? 1000)) {
      const dropped = this.queue.shift();
      this.opts.logger.warn({ reason: dropped?.reason }, 'event queue full: dropped the oldest event');
    }
    const scrubbed = scrubSecrets(message);
    this.queue.push({ object, type, reason, message: scrubbed });
    this.remember({ object, type, reason, message: scrubbed });
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** The latest events this host recorded, newest first (at most RECENT_EVENTS); no API calls. */
  recent(): RecordedEvent[] {
    return [...this.latest];
  }

  /** Calls `fn` after each record(); returns the function that stops watching. */
  watch(fn: () => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  private remember(e: Omit<RecordedEvent, 'at' | 'count'>): void {
    const at = (this.opts.clock?.now() ?? new Date()).toISOString();
    const last = this.latest[0];
    const same = last && last.type === e.type && last.reason === e.reason && last.message === e.message
      && last.object.kind === e.object.kind && last.object.name === e.object.name && last.object.namespace === e.object.namespace;
    if (same) this.latest[0] = { ...last, at, count: last.count + 1 };
    else this.latest.unshift({ ...e, object: { ...e.object }, at, count: 1 });
    this.latest.length = Math.min(this.latest.length, RECENT_EVENTS);
    for (const watcher of this.watchers) watcher();
  }

  /** Resolves when everything recorded so far has been written (or failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    // Yield first so that record() returns before any I/O starts.
    await Promise.resolve();
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      try {
        await this.opts.giveWay?.();
        await this.write(next);
      } catch (err) {
        this.opts.logger.warn(
          { err: errorSummary(err), reason: next.reason, object: `${next.object.kind}/${next.object.name}` },
          'could not write event',
        );
      }
    }
  }

  private async write(e: Pending): Promise<void> {
    const now = this.opts.clock?.now() ?? new Date();
    const namespace = e.object.namespace || 'default';
    const key = [e.object.kind, namespace, e.object.name, e.object.uid ?? '', e.type, e.reason, e.message].join('\u0000');
    const window = this.opts.aggregationWindowMs ?? 10 * 60_000;
    const seen = this.written.get(key);
    if (seen && now.getTime() - seen.lastSeenMs < window) {
      seen.count += 1;
      seen.lastSeenMs = now.getTime();
      try {
        await this.core.patchNamespacedEvent(
          { name: seen.name, namespace: seen.namespace, body: { count: seen.count, lastTimestamp: now } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
        // The aggregated Event was deleted meanwhile: fall through and create a fresh one.
      }
    }
    const name = `${e.object.name}.${randomBytes(8).toString('hex')}`;
    await this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: e.object.apiVersion,
          kind: e.object.kind,
          name: e.object.name,
          namespace: e.object.namespace,
          uid: e.object.uid,
        },
        type: e.type,
        reason: e.reason,
        message: e.message,
        source: { component: EVENT_SOURCE_COMPONENT },
        reportingComponent: EVENT_SOURCE_COMPONENT,
        reportingInstance: EVENT_SOURCE_COMPONENT,
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
      },
    });
    this.written.set(key, { name, namespace, count: 1, lastSeenMs: now.getTime() });
    this.forgetOld(now.getTime() - window);
  }

  private forgetOld(beforeMs: number): void {
    for (const [key, w] of this.written) if (w.lastSeenMs < beforeMs) this.written.delete(key);
  }
}

/** Status code and reason only: API error bodies may echo the request. */
export function errorSummary(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return scrubSecrets(code !== undefined ? `${String(code)}: ${message}` : message);
}
