/**
 * The fast path of host selection: walk the free hosts that fit the claim's node type (FreeHostIndex) from
 * a position given by the claim's hash, take the first `sample` that this claim may use (not excluded, the
 * uncleaned-reuse tenant rule), and choose among them by rendezvous hashing. Cost is O(sample) unless most
 * fitting hosts are excluded or refused by the tenant rule; different claims start at different positions,
 * so concurrent claims mostly pick different hosts. With the index's fit, same verdicts as whyIneligible for
 * a free host. Allocates nothing per host.
 */
import { RendezvousChoice, stableHash, type NameFilter } from './chooseHost.js';
import { uncleanedForTenant } from './eligibility.js';
import type { PositionalHosts } from './freeIndex.js';
import type { BareMetalHost } from '../types.js';

export const DEFAULT_SAMPLE = 32;

export interface FreePickContext {
  claimUid: string;
  claimTenant?: string;
  allowUncleanedReuse?: boolean;
  exclude: NameFilter;
}

export function pickFree<T extends BareMetalHost>(
  fitting: PositionalHosts<T>,
  ctx: FreePickContext,
  sample = DEFAULT_SAMPLE,
): T | undefined {
  const size = fitting.size;
  if (size === 0) return undefined;
  const start = stableHash(ctx.claimUid) % size;
  const choice = new RendezvousChoice<T>(ctx.claimUid);
  let taken = 0;
  for (let i = 0; i < size && taken < sample; i++) {
    const at = start + i;
    const host = fitting.at(at < size ? at : at - size);
    const name = host.metadata.name;
    if (ctx.exclude.has(name) || uncleanedForTenant(host, ctx.claimTenant, ctx.allowUncleanedReuse)) continue;
    taken++;
    choice.offer(host, name);
  }
  return choice.chosen;
}
