/** Step: give a claim without `spec.typeRef` the cheapest matching NodeType with capacity. */
import { pickNodeType } from '../scheduling/pickNodeType.js';
import { getCondition, setCondition } from './conditions.js';
import { recordEvent, secondsSinceCreation, type Step } from './context.js';

export const schedule: Step = async (ctx, claim) => {
  const now = ctx.deps.clock.now();
  if (claim.spec.typeRef) {
    if (getCondition(claim, 'Scheduled')?.status !== 'True') {
      setCondition(claim, 'Scheduled', 'True', 'Scheduled', `node type ${claim.spec.typeRef}`, now);
    }
    return {};
  }
  const result = pickNodeType(
    { providerRef: claim.spec.providerRef, requirements: claim.spec.requirements ?? [], desiredCapacity: claim.spec.desiredCapacity },
    await ctx.store.nodeTypes(),
  );
  if (!result.ok) {
    const previous = getCondition(claim, 'Scheduled');
    setCondition(claim, 'Scheduled', 'False', result.reason, result.message, now);
    claim.status!.phase = 'Pending';
    claim.status!.reason = result.reason;
    claim.status!.message = result.message;
    if (previous?.reason !== result.reason) recordEvent(ctx, claim, 'Warning', result.reason, result.message);
    return { requeueAfterMs: ctx.backoff.next(claim.metadata.uid!), halt: true };
  }
  const updated = await ctx.store.setTypeRef(claim, result.nodeType.name);
  claim.metadata.resourceVersion = updated.metadata.resourceVersion;
  claim.spec.typeRef = result.nodeType.name;
  ctx.backoff.reset(claim.metadata.uid!);
  setCondition(claim, 'Scheduled', 'True', 'Scheduled', `node type ${result.nodeType.name}`, now);
  claim.status!.reason = undefined;
  claim.status!.message = undefined;
  recordEvent(ctx, claim, 'Normal', 'Scheduled', `scheduled to node type ${result.nodeType.name}`);
  ctx.deps.metrics.observeClaimDuration('scheduled', result.nodeType.name, secondsSinceCreation(ctx, claim));
  return {};
};
