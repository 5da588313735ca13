/** A failed claim stays Failed: it is never replaced automatically; deleting it is how an operator retries. */
import { setCondition } from './conditions.js';
import { recordEvent, type StepContext } from './context.js';
import type { NodeClaim } from './types.js';

export function markFailed(ctx: StepContext, claim: NodeClaim, reason: string, message: string, conditionType?: string): void {
  const now = ctx.deps.clock.now();
  if (conditionType) setCondition(claim, conditionType, 'False', reason, message, now);
  claim.status ??= {};
  const already = claim.status.phase === 'Failed' && claim.status.reason === reason;
  claim.status.phase = 'Failed';
  claim.status.reason = reason;
  claim.status.message = message;
  if (!already) {
    recordEvent(ctx, claim, 'Warning', 'Failed', `${reason}: ${message}`);
    ctx.deps.logger.warn({ claim: `${claim.metadata.namespace}/${claim.metadata.name}`, reason, message }, 'NodeClaim failed');
  }
}
