/**
 * Step for a claim being deleted, in this order: cordon and drain the tenant Node (bounded by the
 * pool's terminationGracePeriod and options.drainTimeoutMs; "Never" waits for the drain without that cap;
 * skipped with vcluster.com/skip-node-drain),
 * delete the Node, revoke the join token, then deleteNode until Released. The orchestrator removes
 * the finalizer only when this step reports `released`. A tenant that is gone skips the tenant part.
 */
import { isInvalidConfiguration } from '../../plugin/contract.js';
import { parseDurationMs } from '../autoNodes/validate.js';
import { cordonNode, deleteTenantNode, evictPods } from '../tenants/drain.js';
import { revokeJoinTokens } from '../tenants/joinTokens.js';
import type { TenantConnection } from '../tenants/tenantDirectory.js';
import { getCondition, setCondition } from './conditions.js';
import { recordEvent, type StepContext, type StepResult } from './context.js';
import { claimView, SKIP_DRAIN_ANNOTATION, TERMINATION_GRACE_ANNOTATION, type NodeClaim } from './types.js';
import { describeMachine } from './machineText.js';

const DRAIN_RECHECK_MS = 500;

export async function terminate(ctx: StepContext, claim: NodeClaim): Promise<StepResult & { released: boolean }> {
  const now = ctx.deps.clock.now();
  if (!getCondition(claim, 'Destroyed')) {
    setCondition(claim, 'Destroyed', 'False', 'Terminating', 'draining and releasing', now);
    recordEvent(ctx, claim, 'Normal', 'Releasing', 'NodeClaim deleted: draining the node and releasing the machine');
  }
  const view = claimView(claim);
  const state = await ctx.provider.getNode(view);
  const tenant = claim.spec.vClusterRef ? await ctx.tenants.get(claim.metadata.namespace!, claim.spec.vClusterRef) : undefined;
  if (tenant) {
    const nodeName = await existingNodeName(tenant, [state?.machine.name, claim.metadata.name]);
    if (nodeName) {
      const waiting = await drain(ctx, claim, tenant, nodeName);
      if (waiting) return { released: false, requeueAfterMs: DRAIN_RECHECK_MS };
      await deleteTenantNode(tenant.core, nodeName);
      recordEvent(ctx, claim, 'Normal', 'NodeDeleted', `deleted node ${nodeName} from tenant ${claim.spec.vClusterRef}`);
    }
    const revoked = await revokeJoinTokens(tenant.core, claim.metadata.uid!);
    if (revoked > 0) recordEvent(ctx, claim, 'Normal', 'TokenRevoked', `revoked ${revoked} join token(s)`);
  }
  return release(ctx, claim);
}

/** One drain pass; true while pods remain and the deadline has not passed. */
async function drain(ctx: StepContext, claim: NodeClaim, tenant: TenantConnection, nodeName: string): Promise<boolean> {
  if (claim.metadata.annotations?.[SKIP_DRAIN_ANNOTATION] === 'true') return false;
  const node = await tenant.core.readNode({ name: nodeName });
  if (node.metadata?.annotations?.[SKIP_DRAIN_ANNOTATION] === 'true') return false;
  await cordonNode(tenant.core, nodeName);
  const remaining = await evictPods(tenant.core, nodeName);
  if (remaining === 0) return false;
  const started = new Date(claim.metadata.deletionTimestamp ?? ctx.deps.clock.now()).getTime();
  if (ctx.deps.clock.now().getTime() < started + drainBudgetMs(ctx, claim)) {
    setCondition(claim, 'Destroyed', 'False', 'Draining', `waiting for ${remaining} pod(s) to leave node ${nodeName}`, ctx.deps.clock.now());
    return true;
  }
  recordEvent(ctx, claim, 'Warning', 'DrainTimeout', `${remaining} pod(s) still on node ${nodeName}; deleting the node anyway`);
  return false;
}

/** The pool's terminationGracePeriod within options.drainTimeoutMs; "Never" waits for the drain however long it takes. */
function drainBudgetMs(ctx: StepContext, claim: NodeClaim): number {
  const cap = ctx.deps.options.drainTimeoutMs;
  const grace = claim.metadata.annotations?.[TERMINATION_GRACE_ANNOTATION];
  if (grace === 'Never') return Infinity;
  if (!grace) return cap;
  return Math.min(cap, parseDurationMs(grace) ?? cap);
}

async function release(ctx: StepContext, claim: NodeClaim): Promise<StepResult & { released: boolean }> {
  const now = ctx.deps.clock.now();
  const provider = claim.spec.providerRef;
  let result;
  try {
    result = await ctx.provider.deleteNode(claimView(claim), ctx.signal);
  } catch (err) {
    ctx.deps.metrics.countProviderCall(provider, 'deleteNode', (err as { code?: string }).code ?? 'error');
    // Bad input the provider refuses to release with is shown on the claim (retried with backoff), not only logged.
    if (!isInvalidConfiguration(err)) throw err;
    return notReleased(ctx, claim, 'InvalidConfiguration', (err as Error).message);
  }
  ctx.deps.metrics.countProviderCall(provider, 'deleteNode', result.phase === 'Failed' ? 'error' : 'ok');
  if (result.phase === 'Released') {
    setCondition(claim, 'Destroyed', 'True', 'Released', result.machine ? `${describeMachine(result.machine)} released` : 'released', now);
    recordEvent(ctx, claim, 'Normal', 'Released', `${describeMachine(result.machine)} released`);
    ctx.backoff.reset(claim.metadata.uid!);
    return { released: true };
  }
  if (result.phase === 'Failed') {
    return notReleased(ctx, claim, result.reason ?? 'ReleaseFailed', result.message ?? `releasing ${describeMachine(result.machine)} failed`);
  }
  setCondition(claim, 'Destroyed', 'False', 'Releasing', result.machine ? `${describeMachine(result.machine)} is being cleaned` : 'releasing', now);
  return { released: false, requeueAfterMs: ctx.deps.options.pollIntervalMs };
}

/** Destroyed=False with the reason (a Warning event when the reason is new); retried with backoff. */
function notReleased(ctx: StepContext, claim: NodeClaim, reason: string, message: string): StepResult & { released: boolean } {
  if (getCondition(claim, 'Destroyed')?.reason !== reason) recordEvent(ctx, claim, 'Warning', reason, message);
  setCondition(claim, 'Destroyed', 'False', reason, message, ctx.deps.clock.now());
  return { released: false, requeueAfterMs: ctx.backoff.next(claim.metadata.uid!) };
}

async function existingNodeName(tenant: TenantConnection, candidates: (string | undefined)[]): Promise<string | undefined> {
  for (const name of candidates) {
    if (!name) continue;
    try {
      await tenant.core.readNode({ name });
      return name;
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
  return undefined;
}
