/**
 * Launch step 2: pick an eligible host from the cache, or explain in one short sentence why none is
 * (how many hosts match the selector, and why the rest are ineligible, aggregated by reason).
 */
import { InsufficientCapacityError } from '../../../plugin/contract.js';
import type { Metal3NodeTypeSpec } from '../spec.js';
import { chooseHost, type NameFilter } from '../hosts/chooseHost.js';
import { whyIneligible } from '../hosts/eligibility.js';
import { matchesLabelSelector } from '../hosts/selector.js';
import type { BareMetalHost } from '../types.js';

export interface SelectionContext {
  nodeType: Metal3NodeTypeSpec;
  claimUid: string;
  tenant: string;
  allowUncleanedReuse?: boolean;
  pinnedHostName?: string;
  /** Hosts this claim just lost to a concurrent claim (409). */
  exclude: NameFilter;
}

export type Selection = { host: BareMetalHost } | { host?: undefined; explanation: string };

const MAX_REASONS = 4;

export function selectHost(hosts: Iterable<BareMetalHost>, ctx: SelectionContext): Selection {
  const selector = ctx.nodeType.bareMetalHosts?.selector;
  const eligible: BareMetalHost[] = [];
  const reasons = new Map<string, number>();
  let matching = 0;
  const note = (reason: string) => reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  for (const host of hosts) {
    if (ctx.pinnedHostName && host.metadata.name !== ctx.pinnedHostName) continue;
    if (!matchesLabelSelector(host.metadata.labels, selector)) {
      if (ctx.pinnedHostName) note('does not match the node type selector');
      continue;
    }
    matching++;
    if (ctx.exclude.has(host.metadata.name)) {
      note('just claimed by another claim');
      continue;
    }
    const why = whyIneligible(host, {
      nodeType: ctx.nodeType,
      claimTenant: ctx.tenant,
      allowUncleanedReuse: ctx.allowUncleanedReuse,
      pinnedHostName: ctx.pinnedHostName,
    });
    if (why) note(why);
    else eligible.push(host);
  }
  const host = chooseHost(eligible, ctx.claimUid, ctx.exclude);
  if (host) return { host };
  return { explanation: explain(ctx, matching, reasons) };
}

function explain(ctx: SelectionContext, matching: number, reasons: Map<string, number>): string {
  const subject = ctx.pinnedHostName
    ? `BareMetalHost ${ctx.pinnedHostName} (pinned by metal3.vcluster.com/server-name)`
    : `node type ${ctx.nodeType.name}`;
  if (ctx.pinnedHostName && matching === 0 && reasons.size === 0) return `no eligible host for ${subject}: it does not exist`;
  const sorted = [...reasons.entries()].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, MAX_REASONS).map(([reason, count]) => `${count} ${reason}`);
  if (sorted.length > MAX_REASONS) shown.push(`${sorted.slice(MAX_REASONS).reduce((n, [, c]) => n + c, 0)} other`);
  const why = shown.length ? `; ineligible: ${shown.join(', ')}` : '';
  return `no eligible host for ${subject}: ${matching} host(s) match the selector${why}`;
}

/** The eligible host for a claim, or InsufficientCapacityError explaining why there is none. */
export function pickHost(
  hosts: Iterable<BareMetalHost>,
  ctx: { claimUid: string; nodeType: Metal3NodeTypeSpec; tenant: string; pinnedHostName?: string; allowUncleanedReuse?: boolean },
  exclude: NameFilter,
): BareMetalHost {
  const selection = selectHost(hosts, { ...ctx, exclude });
  if (!selection.host) throw new InsufficientCapacityError(selection.explanation);
  return selection.host;
}
