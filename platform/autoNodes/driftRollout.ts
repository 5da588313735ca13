/**
 * Pure: what one pass does for one static pool, its quantity and its drifted claims (NotDrifted=False,
 * set by the NodeClaim controller's drift step), Karpenter's drift with bare-metal care:
 * - one joined drifted claim at a time is replaced, surge first: a replacement claim (annotation
 *   `vcluster.loft.sh/replaces: <old>`) is created above quantity, and only once it has joined with its
 *   Node Ready is the old claim deleted (drained by the normal termination), so the pool keeps as many
 *   Ready nodes as it had;
 * - a drifted claim that has not joined holds no Ready node: it is deleted and the pool re-creates it as
 *   it is now; a Failed one is left for the operator, as every Failed machine is;
 * - a replacement that cannot be scheduled (no free host fits, a type not allowed) or that Failed stays
 *   as it is: nothing is deleted, the pool's status says why, and it goes on once it can (no churn);
 * - a drift reverted (or a replacement drifted itself) before the replacement joined cancels it;
 * - scale-down and scale-up count the pool without its replacement; scale-down takes claims with no
 *   Ready node first (claimTemplate.ts surplusClaims), and cancels the replacement of a claim it takes.
 */
import { getCondition } from '../runtime/conditions.js';
import { REPLACES_ANNOTATION, type NodeClaim } from '../nodeClaims/types.js';
import { surplusClaims } from './claimTemplate.js';

export type PoolDriftState = 'Replacing' | 'ReplacementBlocked' | 'ReplacementFailed';

export interface PoolPlan {
  /** New claims to create (the pool is below its quantity). */
  create: number;
  /** A drifted claim to create a replacement for (at most one per pool and pass). */
  replace?: NodeClaim;
  delete: { claim: NodeClaim; reason: 'Drifted' | 'DriftCancelled' | 'ScaleDown'; message: string }[];
  /** Where the pool's drift stands; undefined when no claim of it is drifted. */
  drift?: { state: PoolDriftState; message: string };
}

export function planStaticPool(poolName: string, claims: NodeClaim[], quantity: number): PoolPlan {
  const live = claims.filter((c) => !c.metadata.deletionTimestamp);
  const byName = new Map(live.map((c) => [c.metadata.name!, c]));
  const plan: PoolPlan = { create: 0, delete: [] };
  const gone = new Set<NodeClaim>();
  const remove = (claim: NodeClaim, reason: PoolPlan['delete'][number]['reason'], message: string) => {
    gone.add(claim);
    plan.delete.push({ claim, reason, message });
  };

  const active: { replacement: NodeClaim; old: NodeClaim }[] = [];
  for (const replacement of live) {
    const old = byName.get(replacement.metadata.annotations?.[REPLACES_ANNOTATION] ?? '');
    if (!old || old === replacement) continue;
    if (isReady(replacement)) {
      remove(old, 'Drifted', `replaced by NodeClaim ${replacement.metadata.name}, which joined and whose Node is Ready`);
    } else if (!isDrifted(old) || isDrifted(replacement)) {
      const why = isDrifted(replacement) ? 'the replacement no longer matches the pool either' : `NodeClaim ${old.metadata.name} matches its pool again`;
      remove(replacement, 'DriftCancelled', `drift replacement cancelled before it joined: ${why}`);
    } else {
      active.push({ replacement, old });
    }
  }

  const replacements = new Set(active.map((a) => a.replacement));
  const base = live.filter((c) => !gone.has(c) && !replacements.has(c));
  if (base.length < quantity) plan.create = quantity - base.length;
  for (const claim of surplusClaims(base, quantity)) {
    remove(claim, 'ScaleDown', `pool ${poolName} scaled down to ${quantity}`);
    const pair = active.findIndex((a) => a.old === claim);
    if (pair >= 0) {
      remove(active[pair].replacement, 'ScaleDown', `pool ${poolName} scaled down to ${quantity}: NodeClaim ${claim.metadata.name} it was to replace is deleted`);
      active.splice(pair, 1);
    }
  }

  const kept = base.filter((c) => !gone.has(c));
  const drifted = kept.filter((c) => isDrifted(c) && c.status?.phase !== 'Failed');
  if (active.length > 0) {
    plan.drift = activeState(poolName, active[0].replacement, active[0].old);
    return plan;
  }
  if (drifted.length === 0) return plan;
  if (plan.create > 0 || plan.delete.length > 0) {
    // One change at a time: the next replacement starts once the pool is at its quantity again.
    plan.drift = { state: 'Replacing', message: `pool ${poolName}: ${drifted.length} drifted NodeClaim(s) left, replaced one at a time once the pool is at its quantity of ${quantity}` };
    return plan;
  }
  const notJoined = drifted.filter((c) => getCondition(c.status?.conditions, 'Joined')?.status !== 'True');
  for (const c of notJoined) remove(c, 'Drifted', `${driftMessage(c)}; it has not joined: deleted, and the pool creates it anew`);
  if (notJoined.length > 0) {
    plan.drift = { state: 'Replacing', message: `pool ${poolName}: drifted NodeClaim(s) not joined yet are re-created: ${notJoined.map(nameOf).join(', ')}` };
    return plan;
  }
  const next = [...drifted].sort((a, b) => created(a) - created(b) || (nameOf(a) < nameOf(b) ? -1 : 1))[0];
  plan.replace = next;
  plan.drift = { state: 'Replacing', message: replacingMessage(poolName, next) };
  return plan;
}

function activeState(poolName: string, replacement: NodeClaim, old: NodeClaim): PoolPlan['drift'] {
  if (replacement.status?.phase === 'Failed') {
    return {
      state: 'ReplacementFailed',
      message: `pool ${poolName}: replacement NodeClaim ${nameOf(replacement)} for drifted ${nameOf(old)} failed ` +
        `(${replacement.status.reason ?? 'Failed'}: ${replacement.status.message ?? ''}); ${nameOf(old)} is kept: delete ${nameOf(replacement)} to try again`,
    };
  }
  const scheduled = getCondition(replacement.status?.conditions, 'Scheduled');
  if (scheduled?.status === 'False') {
    return {
      state: 'ReplacementBlocked',
      message: `pool ${poolName}: replacement NodeClaim ${nameOf(replacement)} for drifted ${nameOf(old)} cannot be scheduled ` +
        `(${scheduled.reason}: ${scheduled.message}); nothing is deleted until it can`,
    };
  }
  return { state: 'Replacing', message: replacingMessage(poolName, old, replacement) };
}

function replacingMessage(poolName: string, old: NodeClaim, replacement?: NodeClaim): string {
  return `pool ${poolName}: replacing drifted NodeClaim ${nameOf(old)}${replacement ? ` with ${nameOf(replacement)}` : ''}, one at a time: ` +
    `${nameOf(old)} is deleted once its replacement has joined and its Node is Ready`;
}

export function isDrifted(c: NodeClaim): boolean {
  return getCondition(c.status?.conditions, 'NotDrifted')?.status === 'False';
}

/** Joined, and its Node Ready now (the liveness step's NodeReady). */
export function isReady(c: NodeClaim): boolean {
  return getCondition(c.status?.conditions, 'Joined')?.status === 'True' && getCondition(c.status?.conditions, 'NodeReady')?.status === 'True';
}

function driftMessage(c: NodeClaim): string {
  return `NodeClaim ${nameOf(c)} ${getCondition(c.status?.conditions, 'NotDrifted')?.message ?? 'drifted'}`;
}

function nameOf(c: NodeClaim): string {
  return c.metadata.name!;
}

function created(c: NodeClaim): number {
  return new Date(c.metadata.creationTimestamp ?? 0).getTime();
}
