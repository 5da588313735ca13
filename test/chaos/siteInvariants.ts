/**
 * The chaos run's invariants for sites (connected clusters) over a cluster snapshot: a claim holds hosts
 * only in the site of its NodeType (never re-claimed elsewhere), a site that is out shows its NodeTypes
 * Unavailable (Synced False) while the others stay Synced, and an outage long enough for a leader to
 * notice was noticed.
 */
import type { ClusterSnapshot } from './cluster.js';

/** One site outage as the fault driver injected it and the monitor saw it. */
export interface Outage {
  site: string;
  startedAt: number;
  endedAt?: number;
  /** Every NodeType of the site was seen Synced False at least once during the outage. */
  seenUnavailable: boolean;
  /** How long a platform replica led while the site was out (the one that can notice). */
  leaderMs: number;
}

/** Always true: a host carries only claims whose NodeType is in the host's site. */
export function checkSitePlacement(s: ClusterSnapshot): string[] {
  const zoneOf = new Map(s.nodeTypes.map((t) => [t.name, t.zone]));
  const claims = new Map(s.claims.map((c) => [c.uid, c]));
  const out: string[] = [];
  for (const h of s.hosts) {
    if (!h.site) continue;
    for (const uid of new Set([h.claimLabel, h.consumerUid])) {
      const c = uid ? claims.get(uid) : undefined;
      const zone = c?.typeRef ? zoneOf.get(c.typeRef) : undefined;
      if (c && zone && zone !== h.site) out.push(`NodeClaim ${c.namespace}/${c.name} of ${c.typeRef} (zone ${zone}) holds BareMetalHost ${h.name} in site ${h.site}`);
    }
  }
  return out;
}

/** The NodeTypes of sites in `out` are Unavailable (Synced False), every other site's are Synced. */
export function checkSiteTypes(s: ClusterSnapshot, sites: string[], out: Set<string>): string[] {
  const problems: string[] = [];
  for (const t of s.nodeTypes) {
    if (!t.zone || !sites.includes(t.zone)) continue;
    if (out.has(t.zone) && t.synced !== false) problems.push(`NodeType ${t.name} shows Synced ${t.synced ?? 'unset'} though site ${t.zone} is out`);
    if (!out.has(t.zone) && t.synced !== true) problems.push(`NodeType ${t.name} shows Synced ${t.synced ?? 'unset'} though site ${t.zone} is up`);
  }
  return problems;
}

/** Folds one observation (`dtMs` since the previous one) into an outage in progress. */
export function observeOutage(o: Outage, s: ClusterSnapshot, leaders: number, dtMs: number): void {
  const types = s.nodeTypes.filter((t) => t.zone === o.site);
  if (types.length > 0 && types.every((t) => t.synced === false)) o.seenUnavailable = true;
  if (leaders > 0) o.leaderMs += dtMs;
}

/** An ended outage that a leader had `noticeMs` to notice must have shown the site's types Unavailable. */
export function checkOutage(o: Outage, noticeMs: number): string[] {
  if (o.endedAt === undefined || o.seenUnavailable || o.leaderMs < noticeMs) return [];
  return [`site ${o.site} was out for ${((o.endedAt - o.startedAt) / 1000).toFixed(1)} s (${(o.leaderMs / 1000).toFixed(1)} s of it with a leader) and its NodeTypes never showed Unavailable`];
}

/**
 * The snapshot without the claims bound to `site`: those whose NodeType is there, those whose static
 * pool asks for one of its types (`poolSite`), and deleted claims that were never scheduled (the plugin
 * releases those in every site, and only once every site, the lost one too, says it keeps nothing for
 * them). What remains must converge while the site is out.
 */
export function withoutSite(s: ClusterSnapshot, site: string, poolSite: (c: ClusterSnapshot['claims'][number]) => string | undefined): ClusterSnapshot {
  const zoneOf = new Map(s.nodeTypes.map((t) => [t.name, t.zone]));
  return { ...s, claims: s.claims.filter((c) => !(c.deleting && !c.typeRef) && (c.typeRef ? zoneOf.get(c.typeRef) : poolSite(c)) !== site) };
}
