/** Step: a Provisioned machine that never registers in its tenant fails after options.joinTimeoutMs. */
import { getCondition, isTrue } from './conditions.js';
import type { Step } from './context.js';
import { markFailed } from './failure.js';

export const liveness: Step = async (ctx, claim) => {
  if (claim.status?.phase === 'Failed' || !isTrue(claim, 'Provisioned') || isTrue(claim, 'Joined')) return {};
  const provisionedAt = new Date(getCondition(claim, 'Provisioned')!.lastTransitionTime).getTime();
  const remaining = provisionedAt + ctx.deps.options.joinTimeoutMs - ctx.deps.clock.now().getTime();
  if (remaining > 0) return { requeueAfterMs: remaining };
  const seconds = ctx.deps.options.joinTimeoutMs / 1000;
  markFailed(ctx, claim, 'JoinTimeout', `the machine was provisioned but no node joined the tenant within ${seconds}s`, 'Joined');
  return { halt: true };
};
