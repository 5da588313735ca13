/**
 * Step: follow the provider until the machine is Provisioned, then watch the tenant for its Node.
 * A registered Node gets the claim's labels, taints and startup taints; a Ready one loses its startup
 * taints and makes the claim Joined and Available. A provider-reported failure makes it Failed.
 */
import type { V1Node } from '@kubernetes/client-node';
import type { NodeState } from '../../plugin/contract.js';
import { getCondition, isTrue, setCondition } from './conditions.js';
import { recordEvent, secondsSinceCreation, type Step, type StepContext } from './context.js';
import { markFailed } from './failure.js';
import { syncNodeMetadata } from './syncNode.js';
import { claimView, type NodeClaim } from './types.js';
import { describeMachine } from './machineText.js';

/** How long a launched claim may be unknown to the provider's cache before createNode is asked again. */
const NOT_FOUND_GRACE_FACTOR = 5;

export const registration: Step = async (ctx, claim) => {
  if (claim.status?.phase === 'Failed' || !isTrue(claim, 'Launched')) return {};
  if (isTrue(claim, 'Joined')) {
    claim.status!.phase = 'Available';
    return {};
  }
  const now = ctx.deps.clock.now();
  const poll = ctx.deps.options.pollIntervalMs;
  const state = await ctx.provider.getNode(claimView(claim));
  if (!state) {
    const launchedAt = new Date(getCondition(claim, 'Launched')!.lastTransitionTime).getTime();
    if (now.getTime() - launchedAt > NOT_FOUND_GRACE_FACTOR * poll) {
      setCondition(claim, 'Launched', 'Unknown', 'NodeNotFound', 'the provider holds no machine for this claim; launching again', now);
    }
    return { requeueAfterMs: poll };
  }
  if (state.phase === 'Failed') {
    markFailed(ctx, claim, state.reason ?? 'ProvisioningFailed', state.message ?? `${describeMachine(state.machine)} failed`, 'Provisioned');
    return { halt: true };
  }
  if (state.phase !== 'Provisioned') {
    setCondition(claim, 'Provisioned', 'False', state.phase, state.message ?? `${describeMachine(state.machine)} is ${state.providerState}`, now);
    return { requeueAfterMs: poll };
  }
  if (!isTrue(claim, 'Provisioned')) {
    setCondition(claim, 'Provisioned', 'True', 'Provisioned', `${describeMachine(state.machine)} provisioned`, now);
    recordEvent(ctx, claim, 'Normal', 'Provisioned', `${describeMachine(state.machine)} provisioned`);
    ctx.deps.metrics.observeClaimDuration('provisioned', claim.spec.typeRef ?? '', secondsSinceCreation(ctx, claim));
  }
  // A standalone machine joins no cluster: provisioned is all it waits for.
  if (!claim.spec.vClusterRef) {
    claim.status!.phase = 'Available';
    return {};
  }
  return detectJoin(ctx, claim, state);
};

async function detectJoin(ctx: StepContext, claim: NodeClaim, state: NodeState) {
  const now = ctx.deps.clock.now();
  const tenant = await ctx.tenants.get(claim.metadata.namespace!, claim.spec.vClusterRef!);
  if (!tenant) {
    setCondition(claim, 'Joined', 'False', 'TenantNotReady', `tenant access Secret vc-${claim.spec.vClusterRef} not found`, now);
    return { requeueAfterMs: ctx.deps.options.pollIntervalMs };
  }
  const node = findClaimNode(await ctx.tenants.nodes(tenant), claim, state.machine.name);
  if (!node) {
    setCondition(claim, 'Joined', 'False', 'WaitingForNode', `waiting for node ${state.machine.name} to register`, now);
    return {};
  }
  const ready = isNodeReady(node);
  await syncNodeMetadata(ctx, claim, tenant, node, ready ? 'ready' : 'registering');
  if (!ready) {
    setCondition(claim, 'Joined', 'False', 'NodeNotReady', `node ${node.metadata!.name} registered, not Ready`, now);
    return {};
  }
  setCondition(claim, 'Joined', 'True', 'Joined', `node ${node.metadata!.name} joined`, now);
  claim.status!.phase = 'Available';
  recordEvent(ctx, claim, 'Normal', 'Joined', `node ${node.metadata!.name} joined tenant ${claim.spec.vClusterRef}`);
  ctx.deps.metrics.observeClaimDuration('joined', claim.spec.typeRef ?? '', secondsSinceCreation(ctx, claim));
  return {};
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** The tenant Node of a claim: named after the machine (or the claim), or labelled with that hostname. */
export function findClaimNode(nodes: V1Node[], claim: NodeClaim, machineName: string | undefined): V1Node | undefined {
  const names = new Set([machineName, claim.metadata.name].filter((n): n is string => !!n));
  return nodes.find((n) => names.has(n.metadata?.name ?? '') || names.has(n.metadata?.labels?.['kubernetes.io/hostname'] ?? ''));
}
