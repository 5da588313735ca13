/**
 * Step: does the claim still match its pool (autoNodes/poolMatch.ts)? Sets `NotDrifted` True, or
 * False with the reason and what no longer matches (one Event when it turns False). The step only
 * judges; the autoNodes controller replaces a drifted static claim (driftRollout.ts) and the dynamic
 * disruption pass a dynamic one. A drifted static claim not launched yet halts here, so no machine is
 * provisioned for what the pool no longer wants (its pool re-creates it). Claims of no pool (standalone, or created by hand)
 * get no condition; a NodeType that cannot be read leaves the condition as it was. A drifted verdict
 * from the VCI cache is confirmed with a live read of the VCI before it is written.
 */
import { claimDrift } from '../autoNodes/poolMatch.js';
import { getCondition, isTrue, setCondition } from './conditions.js';
import { recordEvent, type Step } from './context.js';

export const NOT_DRIFTED = 'NotDrifted';

export const drift: Step = async (ctx, claim) => {
  const cached = ctx.pools.poolOf(claim);
  if (!cached) return {};
  // From the controller's caches (a NodeType or Project change requeues the claims it concerns): no request per reconcile.
  const nodeType = claim.spec.typeRef ? ctx.cached.nodeType(claim.spec.typeRef) : undefined;
  if (claim.spec.typeRef && !nodeType) return {};
  const project = nodeType ? ctx.cached.project(claim.metadata.namespace!) : undefined;
  let desired = cached;
  let verdict = claimDrift(claim, desired, nodeType, project);
  if (verdict.drifted) {
    // The VCI cache may lag a change that made the claim (a fresh replacement, say): confirm with a live read.
    const live = await ctx.pools.poolOfLive(claim);
    if (!live) return {};
    desired = live;
    verdict = claimDrift(claim, desired, nodeType, project);
  }
  const now = ctx.deps.clock.now();
  if (!verdict.drifted) {
    setCondition(claim, NOT_DRIFTED, 'True', 'NotDrifted', verdict.message, now);
    return {};
  }
  const previous = getCondition(claim, NOT_DRIFTED);
  setCondition(claim, NOT_DRIFTED, 'False', verdict.reason, verdict.message, now);
  if (previous?.status !== 'False' || previous.reason !== verdict.reason) recordEvent(ctx, claim, 'Normal', 'Drifted', verdict.message);
  // A static pool re-creates a drifted claim that has not launched; a dynamic one's launches and is disrupted later.
  return isTrue(claim, 'Launched') || desired.kind === 'dynamic' ? {} : { halt: true };
};
