/**
 * The chaos run's invariants over a cluster snapshot. Each check returns human-readable violations
 * (empty when it holds); none of them mentions a token or Secret content, only object names.
 */
import type { ClusterSnapshot } from './cluster.js';

export const PROVISIONING_ERROR = 'provisioning error';

/** Desired static pools per tenant: `project/tenant` → pool → quantity. */
export type DesiredPools = Map<string, Map<string, number>>;

/** Always true, even mid-run: a host has one claim, a claim one host, an address one reservation, a claim one token. */
export function checkExclusive(s: ClusterSnapshot): string[] {
  const out: string[] = [];
  const hostsByClaim = new Map<string, Set<string>>();
  for (const h of s.hosts) {
    if (h.claimLabel && h.consumerUid && h.claimLabel !== h.consumerUid) {
      out.push(`BareMetalHost ${h.name} carries two claims: label ${h.claimLabel}, consumerRef ${h.consumerUid}`);
    }
    for (const uid of new Set([h.claimLabel, h.consumerUid])) {
      if (uid) hostsByClaim.set(uid, (hostsByClaim.get(uid) ?? new Set()).add(h.name));
    }
  }
  for (const [uid, hosts] of hostsByClaim) {
    if (hosts.size > 1) out.push(`NodeClaim uid ${uid} holds ${hosts.size} hosts: ${[...hosts].sort().join(', ')}`);
  }
  const byIp = new Map<string, string[]>();
  for (const r of s.reservations) byIp.set(r.ip, [...(byIp.get(r.ip) ?? []), r.claimUid]);
  for (const [ip, owners] of byIp) {
    if (owners.length > 1) out.push(`IP ${ip} reserved ${owners.length} times (claims ${owners.join(', ')})`);
  }
  const tokensByClaim = new Map<string, string[]>();
  for (const t of s.tokens) tokensByClaim.set(t.claimUid, [...(tokensByClaim.get(t.claimUid) ?? []), t.name]);
  for (const [uid, names] of tokensByClaim) {
    if (names.length > 1) out.push(`NodeClaim uid ${uid} has ${names.length} join tokens (${names.sort().join(', ')})`);
  }
  return out;
}

/**
 * Nothing belongs to a claim that no longer exists, beyond `graceMs` (release takes Metal3 cleaning
 * time). `firstSeen` carries, across calls, when each orphan was first noticed; pass 0 at the end.
 */
export function checkLeaks(s: ClusterSnapshot, firstSeen: Map<string, number>, now: number, graceMs: number, exemptClaims = new Set<string>()): string[] {
  const live = new Set(s.claims.map((c) => c.uid));
  const owned: [string, string][] = [
    ...s.hosts.flatMap((h) => [h.claimLabel, h.consumerUid].filter((u): u is string => Boolean(u)).map((u): [string, string] => [u, `BareMetalHost ${h.name} (claim mark)`])),
    ...s.reservations.map((r): [string, string] => [r.claimUid, `IP reservation ${r.name}`]),
    ...s.secrets.map((x): [string, string] => [x.claimUid, `generated Secret ${x.name}`]),
    ...s.tokens.map((t): [string, string] => [t.claimUid, `join token Secret ${t.name} in tenant ${t.tenant}`]),
  ];
  const out: string[] = [];
  const current = new Set<string>();
  for (const [uid, what] of owned) {
    if (live.has(uid) || exemptClaims.has(uid)) continue;
    const key = `${what} → ${uid || '(no claim label)'}`;
    current.add(key);
    const since = firstSeen.get(key) ?? now;
    firstSeen.set(key, since);
    if (now - since >= graceMs) out.push(`leaked: ${key} (no such NodeClaim for ${Math.round((now - since) / 1000)} s)`);
  }
  for (const key of [...firstSeen.keys()]) if (!current.has(key)) firstSeen.delete(key);
  return out;
}

/**
 * At quiescence: every claim Available or Failed with a reason; provisioning faults fail (not replace)
 * their claim; static pools honoured. `otherTenants` (`project/tenant`) may own claims beyond `desired`
 * (the dynamic-pool tenants).
 */
export function checkConverged(s: ClusterSnapshot, desired: DesiredPools, faultedHosts: Set<string>, otherTenants = new Set<string>()): string[] {
  const out: string[] = [];
  const hostOf = new Map(s.hosts.filter((h) => h.claimLabel).map((h) => [h.claimLabel!, h]));
  for (const c of s.claims) {
    const id = `NodeClaim ${c.namespace}/${c.name}`;
    const host = hostOf.get(c.uid);
    if (c.deleting) out.push(`${id} is still deleting (${c.typeRef ? `node type ${c.typeRef}` : 'never scheduled'}${c.conditions ? `; ${c.conditions}` : ''})`);
    else if (c.phase !== 'Available' && c.phase !== 'Failed') {
      const where = host ? `host ${host.name} is ${host.state}${host.errorType ? ` (${host.errorType})` : ''}` : 'no host';
      out.push(`${id} did not converge (phase ${c.phase ?? 'none'}, ${where}${c.conditions ? `; ${c.conditions}` : ''})`);
    }
    else if (c.phase === 'Failed' && !c.reason) out.push(`${id} is Failed without a reason`);
    else if (c.phase === 'Failed' && !(host && faultedHosts.has(host.name))) out.push(`${id} is Failed (${c.reason}) though no provisioning fault hit its host ${host?.name ?? '(none)'}`);
    else if (host && faultedHosts.has(host.name) && (c.phase !== 'Failed' || c.reason !== PROVISIONING_ERROR)) {
      out.push(`${id} holds ${host.name}, which has a provisioning fault, but is ${c.phase} (${c.reason ?? 'no reason'}) instead of Failed (${PROVISIONING_ERROR})`);
    }
  }
  for (const [tenantKey, pools] of desired) {
    const [namespace, tenant] = tenantKey.split('/');
    for (const [pool, quantity] of pools) {
      const n = s.claims.filter((c) => c.namespace === namespace && c.tenant === tenant && c.pool === pool && !c.deleting).length;
      if (n !== quantity) out.push(`pool ${tenantKey}/${pool} has ${n} claims, wants ${quantity}`);
    }
  }
  const wanted = new Set([...desired.keys(), ...otherTenants]);
  for (const c of s.claims) {
    if (!wanted.has(`${c.namespace}/${c.tenant}`)) out.push(`NodeClaim ${c.namespace}/${c.name} belongs to no requested tenant (${c.tenant ?? 'unlabelled'})`);
  }
  return out;
}

/** After scaling to zero and clearing faults: every host available and unmarked, nothing generated left. */
export function checkClean(s: ClusterSnapshot): string[] {
  const out: string[] = [];
  for (const c of s.claims) out.push(`NodeClaim ${c.namespace}/${c.name} remains (phase ${c.phase ?? 'none'})`);
  for (const h of s.hosts) {
    if (h.state !== 'available') out.push(`BareMetalHost ${h.name} is ${h.state || 'stateless'}, not available`);
    if (h.claimLabel || h.consumerUid) out.push(`BareMetalHost ${h.name} still carries a claim (label ${h.claimLabel ?? '-'}, consumerRef ${h.consumerUid ?? '-'})`);
    if (h.claimAnnotations.length > 0) out.push(`BareMetalHost ${h.name} still carries claim annotations ${h.claimAnnotations.sort().join(', ')}`);
  }
  for (const r of s.reservations) out.push(`IP reservation ${r.name} remains`);
  for (const x of s.secrets) out.push(`generated Secret ${x.name} remains`);
  for (const t of s.tokens) out.push(`join token Secret ${t.name} remains in tenant ${t.tenant}`);
  return out;
}
