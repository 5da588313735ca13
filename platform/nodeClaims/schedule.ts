/**
 * Step: give a claim without `spec.typeRef` the cheapest matching NodeType with capacity among those
 * its Project allows. A claim that names a type its Project does not allow is refused (Failed, as the
 * real platform refuses it at create); one already launched is left alone.
 */
import { allowsNodeType, describeAllowed, type ProjectRules } from '../projects/project.js';
import { pickNodeType } from '../scheduling/pickNodeType.js';
import { getCondition, isTrue, setCondition } from './conditions.js';
import { recordEvent, secondsSinceCreation, type Step, type StepContext, type StepResult } from './context.js';
import { markFailed } from './failure.js';
import type { NodeClaim } from './types.js';

export const schedule: Step = async (ctx, claim) => {
  const now = ctx.deps.clock.now();
  if (claim.spec.typeRef) {
    if (!isTrue(claim, 'Launched')) {
      const refused = await refusedTypeRef(ctx, claim, claim.spec.typeRef);
      if (refused) return refused;
    }
    if (getCondition(claim, 'Scheduled')?.status !== 'True') {
      setCondition(claim, 'Scheduled', 'True', 'Scheduled', `node type ${claim.spec.typeRef}`, now);
    }
    return {};
  }
  const project = await ctx.projects.forNamespace(claim.metadata.namespace!);
  if (project?.errors.length) return waiting(ctx, claim, 'InvalidProject', project.errors.join('; '));
  const all = await ctx.store.nodeTypes();
  const request = { providerRef: claim.spec.providerRef, requirements: claim.spec.requirements ?? [], desiredCapacity: claim.spec.desiredCapacity };
  const result = pickNodeType(request, project ? all.filter((t) => allowsNodeType(project, t.name)) : all);
  if (!result.ok) {
    const unrestricted = project ? pickNodeType(request, all) : result;
    if (project && unrestricted.ok) {
      return waiting(ctx, claim, 'NodeTypeNotAllowed', `no node type that matches is allowed in project ${project.name}: ` +
        `${unrestricted.nodeType.name} would fit but spec.allowedNodeTypes is ${describeAllowed(project)}`);
    }
    return waiting(ctx, claim, result.reason, result.message);
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

/** Scheduled=False with a reason; retried with backoff. */
function waiting(ctx: StepContext, claim: NodeClaim, reason: string, message: string): StepResult {
  const previous = getCondition(claim, 'Scheduled');
  setCondition(claim, 'Scheduled', 'False', reason, message, ctx.deps.clock.now());
  claim.status!.phase = 'Pending';
  claim.status!.reason = reason;
  claim.status!.message = message;
  if (previous?.reason !== reason) recordEvent(ctx, claim, 'Warning', reason, message);
  return { requeueAfterMs: ctx.backoff.next(claim.metadata.uid!), halt: true };
}

async function refusedTypeRef(ctx: StepContext, claim: NodeClaim, typeRef: string): Promise<StepResult | undefined> {
  const project: ProjectRules | undefined = await ctx.projects.forNamespace(claim.metadata.namespace!);
  if (!project) return undefined;
  if (project.errors.length) return waiting(ctx, claim, 'InvalidProject', project.errors.join('; '));
  if (allowsNodeType(project, typeRef)) return undefined;
  markFailed(ctx, claim, 'NodeTypeNotAllowed',
    `NodeClaim ${claim.metadata.namespace}/${claim.metadata.name}: spec.typeRef: node type ${typeRef} is not allowed in project ${project.name} ` +
    `(spec.allowedNodeTypes: ${describeAllowed(project)})`, 'Scheduled');
  return { halt: true };
}
