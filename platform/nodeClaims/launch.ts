/**
 * Step: issue the claim's join token in its tenant cluster and ask the provider for a machine. The
 * token string lives only in this call and in the tenant's bootstrap-token Secret.
 */
import { isInsufficientCapacity, isInvalidConfiguration, type JoinSpec } from '../../plugin/contract.js';
import { ensureJoinToken } from '../tenants/joinTokens.js';
import { isTrue, setCondition } from './conditions.js';
import { recordEvent, type Step, type StepContext } from './context.js';
import { claimView, type NodeClaim } from './types.js';
import { markFailed } from './failure.js';
import { describeMachine } from './machineText.js';

export const launch: Step = async (ctx, claim) => {
  if (isTrue(claim, 'Launched') || !claim.spec.typeRef) return {};
  const now = ctx.deps.clock.now();
  const vci = claim.spec.vClusterRef;
  // A standalone machine (an operator's server): provisioned with its OS image, no join token, no tenant.
  if (!vci) return createNode(ctx, claim, undefined);
  const tenant = await ctx.tenants.get(claim.metadata.namespace!, vci);
  if (!tenant) {
    setCondition(claim, 'Launched', 'False', 'TenantNotReady', `waiting for the tenant access Secret vc-${vci}`, now);
    return { requeueAfterMs: ctx.deps.options.pollIntervalMs, halt: true };
  }
  const ttl = ctx.deps.options.tokenTtlSeconds;
  const issued = await ensureJoinToken(tenant.core, claim.metadata.uid!, ttl, ctx.deps.clock, (ttl * 1000) / 2);
  if (!issued.reused) {
    recordEvent(ctx, claim, 'Normal', 'TokenIssued',
      `join token ${issued.secretName} issued in tenant ${vci}, expires ${issued.expiresAt.toISOString()}`);
  }
  const join: JoinSpec = { endpoint: tenant.endpoint, caCertPem: tenant.caCertPem, caCertHash: tenant.caCertHash, token: issued.token };
  return createNode(ctx, claim, join);
};

async function createNode(ctx: StepContext, claim: NodeClaim, join: JoinSpec | undefined) {
  const provider = claim.spec.providerRef;
  const now = ctx.deps.clock.now();
  try {
    const state = await ctx.provider.createNode(claimView(claim), join, ctx.signal);
    ctx.deps.metrics.countProviderCall(provider, 'createNode', 'ok');
    ctx.backoff.reset(claim.metadata.uid!);
    setCondition(claim, 'Launched', 'True', 'Launched', describeMachine(state.machine), now);
    setCondition(claim, 'Provisioned', 'False', state.phase, state.message ?? `${describeMachine(state.machine)} is ${state.providerState}`, now);
    claim.status!.reason = undefined;
    claim.status!.message = undefined;
    recordEvent(ctx, claim, 'Normal', 'Provisioning', `provisioning ${describeMachine(state.machine)}`);
    return { requeueAfterMs: ctx.deps.options.pollIntervalMs };
  } catch (err) {
    const message = (err as Error).message;
    if (isInvalidConfiguration(err)) {
      ctx.deps.metrics.countProviderCall(provider, 'createNode', 'InvalidConfiguration');
      markFailed(ctx, claim, 'InvalidConfiguration', message);
      return { halt: true };
    }
    const reason = isInsufficientCapacity(err) ? 'InsufficientCapacity' : 'LaunchFailed';
    ctx.deps.metrics.countProviderCall(provider, 'createNode', isInsufficientCapacity(err) ? 'InsufficientCapacity' : 'Transient');
    const previous = claim.status?.conditions?.find((c) => c.type === 'Provisioned')?.reason;
    setCondition(claim, 'Launched', 'False', reason, message, now);
    setCondition(claim, 'Provisioned', 'False', reason, message, now);
    claim.status!.phase = 'Pending';
    claim.status!.reason = reason;
    claim.status!.message = message;
    if (previous !== reason) recordEvent(ctx, claim, 'Warning', reason, message);
    const hint = (err as { retryAfterMs?: number }).retryAfterMs ?? 0;
    return { requeueAfterMs: Math.max(hint, ctx.backoff.next(claim.metadata.uid!)), halt: true };
  }
}
