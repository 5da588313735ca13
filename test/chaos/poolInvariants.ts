/**
 * The chaos run's invariants for dynamic pools over a cluster snapshot: a pool never beyond its
 * `limits` (its claims counted as the platform counts them: every claim not Failed, deleting ones
 * included, each with its NodeType's resources and one of `nodes`), every pod that fits a node type
 * served, and every node consolidated once its pods are gone released with its host back to available.
 */
import { addInto, fitsResources, type Resources } from '../../common/podFit.js';
import type { ClusterSnapshot } from './cluster.js';

/** Dynamic pools as the run asked for them: `project/tenant/pool` → limits (base units, and `nodes`). */
export type PoolLimits = Map<string, Resources>;

/** The host each dynamic-pool claim ever held, by claim uid (carried across snapshots). */
export type HeldHosts = Map<string, string>;

const poolKey = (c: { namespace: string; tenant?: string; pool?: string }) => `${c.namespace}/${c.tenant}/${c.pool}`;

/** Always true, even mid-run: existing and in-flight claims of a pool stay within every limit. */
export function checkPoolLimits(s: ClusterSnapshot, limits: PoolLimits): string[] {
  const resources = new Map(s.nodeTypes.map((t) => [t.name, t.resources]));
  const out: string[] = [];
  for (const [key, limit] of limits) {
    const held = s.claims.filter((c) => poolKey(c) === key && c.phase !== 'Failed');
    const usage: Resources = { nodes: held.length };
    for (const c of held) addInto(usage, (c.typeRef && resources.get(c.typeRef)) || {});
    for (const [name, max] of Object.entries(limit)) {
      if ((usage[name] ?? 0) > max) {
        out.push(`dynamic pool ${key} is beyond limits.${name}=${max}: ${usage[name]} across ${held.length} claim(s) (${held.map((c) => `${c.name} ${c.typeRef ?? 'unscheduled'}`).sort().join(', ')})`);
      }
    }
  }
  return out;
}

/** Remembers, for every claim of a dynamic pool, the host it holds (to follow the host after the claim is gone). */
export function recordHeldHosts(s: ClusterSnapshot, limits: PoolLimits, held: HeldHosts): void {
  const dynamic = new Set(s.claims.filter((c) => limits.has(poolKey(c))).map((c) => c.uid));
  for (const h of s.hosts) if (h.claimLabel && dynamic.has(h.claimLabel)) held.set(h.claimLabel, h.name);
}

/** At quiescence: every pod the run created that some node type can hold is Running or Succeeded. */
export function checkPodsServed(s: ClusterSnapshot): string[] {
  const out: string[] = [];
  for (const p of s.pods) {
    if (p.deleting || p.phase === 'Running' || p.phase === 'Succeeded') continue;
    const wants = { ...p.requests };
    delete wants.pods;
    const fits = s.nodeTypes.some((t) => fitsResources(wants, t.resources));
    if (fits) out.push(`pod ${p.tenant}/${p.name} fits a node type but is ${p.phase}${p.node ? ` on ${p.node}` : ', unbound'} (requests ${describe(wants)})`);
  }
  return out;
}

/**
 * Once the pods are gone: no dynamic pool keeps a claim (Failed ones excepted: they wait for the
 * operator), and every host such a claim held is available and unmarked again, or held by a live claim.
 */
export function checkConsolidated(s: ClusterSnapshot, limits: PoolLimits, held: HeldHosts): string[] {
  const out: string[] = [];
  for (const c of s.claims) {
    if (limits.has(poolKey(c)) && c.phase !== 'Failed') out.push(`NodeClaim ${c.namespace}/${c.name} of dynamic pool ${poolKey(c)} is still there (phase ${c.phase ?? 'none'}${c.deleting ? ', deleting' : ''}) though its pods are gone`);
  }
  const live = new Set(s.claims.map((c) => c.uid));
  const hosts = new Map(s.hosts.map((h) => [h.name, h]));
  for (const [uid, name] of held) {
    if (live.has(uid)) continue;
    const h = hosts.get(name);
    if (!h) out.push(`BareMetalHost ${name} (held by consolidated claim ${uid}) is gone`);
    else if (h.claimLabel && live.has(h.claimLabel)) continue;
    else if (h.state !== 'available' || h.claimLabel || h.consumerUid) {
      out.push(`BareMetalHost ${name} of consolidated claim ${uid} is not back to available (state ${h.state || 'none'}, claim ${h.claimLabel ?? h.consumerUid ?? '-'})`);
    }
  }
  return out;
}

function describe(r: Resources): string {
  return Object.entries(r).map(([k, v]) => `${k}=${v}`).join(', ');
}
