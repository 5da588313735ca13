/**
 * The fast path of host selection: walk the index of free hosts (whyNotFree passed) from a
 * position given by the claim's hash, take the first `sample` that fit the node type, and choose
 * among them by rendezvous hashing. Cost is O(sample) when most free hosts fit, O(free) at worst;
 * different claims start at different positions, so concurrent claims mostly pick different hosts.
 * Same verdicts as whyIneligible for a free host (selector, uncleaned reuse, resources).
 */
import type { LabelSelector } from '../spec.js';
import { chooseHost, stableHash } from './chooseHost.js';
import { ANNOTATION } from '../names.js';
import type { BareMetalHost } from '../types.js';
import { fitsParsed, type HostResources, type ParsedRequirements } from './resources.js';
import { matchesLabelSelector } from './selector.js';

export const DEFAULT_SAMPLE = 32;

export interface FreePickContext {
  claimUid: string;
  selector?: LabelSelector;
  claimTenant?: string;
  allowUncleanedReuse?: boolean;
  requirements: ParsedRequirements;
  /** The node type lists any resources (even only non-hardware ones): then unknown hardware disqualifies, as in whyIneligible. */
  needsHardware: boolean;
  /** Parsed hardware of a host (memoised by the caller); undefined when unknown. */
  resourcesOf: (host: BareMetalHost) => HostResources | undefined;
  exclude: ReadonlySet<string>;
}

export interface PositionalHosts<T> {
  readonly size: number;
  at(position: number): T;
}

export function pickFree<T extends BareMetalHost>(
  free: PositionalHosts<T>,
  ctx: FreePickContext,
  sample = DEFAULT_SAMPLE,
): T | undefined {
  const size = free.size;
  if (size === 0) return undefined;
  const start = stableHash(ctx.claimUid) % size;
  const fitting: T[] = [];
  for (let i = 0; i < size && fitting.length < sample; i++) {
    const host = free.at((start + i) % size);
    if (!ctx.exclude.has(host.metadata.name) && fitsNodeType(host, ctx)) fitting.push(host);
  }
  return chooseHost(fitting, ctx.claimUid);
}

function fitsNodeType(host: BareMetalHost, ctx: FreePickContext): boolean {
  const meta = host.metadata ?? {};
  if (!matchesLabelSelector(meta.labels, ctx.selector)) return false;
  if (host.spec?.automatedCleaningMode === 'disabled' && !ctx.allowUncleanedReuse) {
    const lastTenant = meta.annotations?.[ANNOTATION.lastTenant];
    if (lastTenant !== undefined && lastTenant !== ctx.claimTenant) return false;
  }
  if (!ctx.needsHardware) return true;
  const resources = ctx.resourcesOf(host);
  return resources !== undefined && fitsParsed(resources, ctx.requirements).ok;
}
