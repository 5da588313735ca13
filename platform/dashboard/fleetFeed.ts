/**
 * Keeps the latest FleetSnapshot and tells subscribers (the page's event streams) when it changes.
 * It rebuilds from in-memory sources only: a change seen by the host's informers or a recorded
 * event triggers a (debounced) rebuild, and a slow tick catches up with each provider's own cache,
 * which may apply a watch event a moment after the host's informer did. However many pages are
 * open, the API sees nothing more than the watches the host already has.
 */
import type { Clock, Logger, MachineView } from '../../plugin/contract.js';
import type { ProviderDirectory } from '../deps.js';
import type { NodeClaim } from '../nodeClaims/types.js';
import type { InformerCache } from '../nodeTypes/controller.js';
import type { NodeTypeObject } from '../nodeTypes/nodeTypeObject.js';
import type { RecordedEvent } from '../observability/events.js';
import { diffFleet, isEmptyDelta, type FleetDelta } from './fleetDelta.js';
import { buildFleetSnapshot } from './fleetSnapshot.js';
import type { FleetSnapshot } from './fleetTypes.js';

export interface FleetSources {
  providers: ProviderDirectory;
  cache: InformerCache;
  events: { recent(): RecordedEvent[]; watch(fn: () => void): () => void };
  clock: Clock;
  logger: Logger;
  /** Coalesces bursts of changes. Default 200 ms. */
  debounceMs?: number;
  /** Catch-up rebuild period. Default 1 s. */
  tickMs?: number;
}

/** Receives each new snapshot, and the delta from the previous one (none for the first). */
export type FleetSubscriber = (snapshot: FleetSnapshot, delta: FleetDelta | undefined) => void;

export class FleetFeed {
  private snapshot: FleetSnapshot | undefined;
  private readonly subscribers = new Set<FleetSubscriber>();
  private readonly unwatch: (() => void)[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private tick: NodeJS.Timeout | undefined;
  private building: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly sources: FleetSources) {}

  async start(): Promise<void> {
    const changed = () => this.schedule();
    this.unwatch.push(this.sources.cache.watch(changed), this.sources.events.watch(changed));
    this.tick = setInterval(changed, this.sources.tickMs ?? 1000);
    await this.rebuild();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const stop of this.unwatch.splice(0)) stop();
    clearTimeout(this.debounce);
    clearInterval(this.tick);
    await this.building;
    this.subscribers.clear();
  }

  /** The latest snapshot (built at start, then on every change). */
  current(): FleetSnapshot | undefined {
    return this.snapshot;
  }

  /** Calls `fn` with each new snapshot and what changed since the previous one; returns the function that unsubscribes. */
  subscribe(fn: FleetSubscriber): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  private schedule(): void {
    if (this.stopped || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.rebuild();
    }, this.sources.debounceMs ?? 200);
  }

  private async rebuild(): Promise<void> {
    if (this.building) {
      this.again = true;
      return this.building;
    }
    this.building = this.build().finally(() => (this.building = undefined));
    await this.building;
    if (this.again && !this.stopped) {
      this.again = false;
      await this.rebuild();
    }
  }

  private async build(): Promise<void> {
    const { providers, cache, events, clock, logger } = this.sources;
    const machines: { provider: string; machines: MachineView[] }[] = [];
    for (const name of providers.names()) {
      try {
        machines.push({ provider: name, machines: (await providers.get(name)?.listMachines?.()) ?? [] });
      } catch (err) {
        logger.debug({ provider: name, err: String((err as Error)?.message ?? err) }, 'dashboard: provider listed no machines');
      }
    }
    const snapshot = buildFleetSnapshot({
      providers: providers.names(),
      machines,
      nodeClaims: cache.nodeClaims() as NodeClaim[],
      nodeTypes: cache.nodeTypes() as NodeTypeObject[],
      events: events.recent(),
      now: clock.now(),
    });
    const delta = this.snapshot ? diffFleet(this.snapshot, snapshot) : undefined;
    if (delta && isEmptyDelta(delta)) return;
    this.snapshot = snapshot;
    if (this.stopped) return;
    for (const fn of this.subscribers) fn(snapshot, delta);
  }
}
