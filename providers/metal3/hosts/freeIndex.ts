/**
 * The free hosts of a cache (whyNotFree passed) in a positional index, and per node-type fit (selector +
 * resources, nodeTypeFit) the free hosts that fit it: built from the free hosts when first asked for, then
 * kept up to date on every put/delete. A pick walks only hosts of its node type, so its cost does not depend
 * on how small a share of the fleet the type selects or where in the fleet those hosts are.
 */
import type { BareMetalHost } from '../types.js';
import { whyNotFree } from './eligibility.js';
import { IndexedSet } from './indexedSet.js';
import type { NodeTypeFit } from './nodeTypeFit.js';

/** Fits kept at once; the least recently asked for is dropped beyond (node types replaced by a reconfigure). */
export const MAX_FITS = 64;

export interface PositionalHosts<T> {
  readonly size: number;
  at(position: number): T;
}

interface FitView {
  readonly fit: NodeTypeFit;
  readonly hosts: IndexedSet<BareMetalHost>;
  lastAsked: number;
}

export class FreeHostIndex {
  private readonly free = new IndexedSet<BareMetalHost>();
  private readonly views = new Map<string, FitView>();
  private asked = 0;

  /** Folds in the current version of a host. */
  put(host: BareMetalHost): void {
    const name = host.metadata.name;
    if (whyNotFree(host)) {
      this.delete(name);
      return;
    }
    this.free.set(name, host);
    for (const view of this.views.values()) {
      if (view.fit.fits(host)) view.hosts.set(name, host);
      else view.hosts.delete(name);
    }
  }

  delete(name: string): void {
    if (!this.free.delete(name)) return;
    for (const view of this.views.values()) view.hosts.delete(name);
  }

  clear(): void {
    this.free.clear();
    this.views.clear();
  }

  /** Every free host: a live view, not a copy; read it synchronously. */
  all(): PositionalHosts<BareMetalHost> {
    return this.free;
  }

  /** The free hosts that fit `fit` (one set per fit key): a live view, not a copy; read it synchronously. */
  fitting(fit: NodeTypeFit): PositionalHosts<BareMetalHost> {
    let view = this.views.get(fit.key);
    if (!view) {
      if (this.views.size >= MAX_FITS) this.dropLeastAsked();
      view = { fit, hosts: new IndexedSet<BareMetalHost>(), lastAsked: 0 };
      for (let i = 0; i < this.free.size; i++) {
        const host = this.free.at(i);
        if (fit.fits(host)) view.hosts.set(host.metadata.name, host);
      }
      this.views.set(fit.key, view);
    }
    view.lastAsked = ++this.asked;
    return view.hosts;
  }

  private dropLeastAsked(): void {
    let oldest: string | undefined;
    let oldestAsked = Infinity;
    for (const [key, view] of this.views) {
      if (view.lastAsked < oldestAsked) {
        oldest = key;
        oldestAsked = view.lastAsked;
      }
    }
    if (oldest !== undefined) this.views.delete(oldest);
  }
}
