/**
 * Step: is the claim's node alive? Before the join, a Provisioned machine that never registers in its
 * tenant fails after options.joinTimeoutMs. After the join (Karpenter's liveness and NodeClaim GC):
 * a tenant Node that is deleted (confirmed by a live read) deletes the claim, which releases the
 * machine through the normal path and lets its pool create a replacement; a Node that is not Ready
 * sets `NodeReady=False` and a Warning Event saying for how long. It is not replaced automatically:
 * bare metal is expensive to churn, the operator decides. The Node's labels and taints are kept in sync.
 */
import type { V1Node } from '@kubernetes/client-node';
import { getCondition, isTrue, setCondition } from './conditions.js';
import { recordEvent, type Step, type StepContext, type StepResult } from './context.js';
import { markFailed } from './failure.js';
import { findClaimNode } from './registration.js';
import { syncNodeMetadata } from './syncNode.js';
import { claimView, type NodeClaim } from './types.js';

/** How often the NotReady duration in the condition is brought up to date. */
const NOT_READY_REFRESH_MS = 60_000;

export const liveness: Step = async (ctx, claim) => {
  // A standalone machine (no vClusterRef) has no Node to wait for or watch.
  if (claim.status?.phase === 'Failed' || !isTrue(claim, 'Provisioned') || !claim.spec.vClusterRef) return {};
  if (isTrue(claim, 'Joined')) return joinedNode(ctx, claim);
  const provisionedAt = new Date(getCondition(claim, 'Provisioned')!.lastTransitionTime).getTime();
  const remaining = provisionedAt + ctx.deps.options.joinTimeoutMs - ctx.deps.clock.now().getTime();
  if (remaining > 0) return { requeueAfterMs: remaining };
  const seconds = ctx.deps.options.joinTimeoutMs / 1000;
  markFailed(ctx, claim, 'JoinTimeout', `the machine was provisioned but no node joined the tenant within ${seconds}s`, 'Joined');
  return { halt: true };
};

async function joinedNode(ctx: StepContext, claim: NodeClaim): Promise<StepResult> {
  const tenant = await ctx.tenants.get(claim.metadata.namespace!, claim.spec.vClusterRef!);
  if (!tenant) return {};
  // Without the provider's machine name a missing Node cannot be told from a cache that is not synced yet.
  const state = await ctx.provider.getNode(claimView(claim));
  if (!state?.machine.name) return {};
  const node = findClaimNode(await ctx.tenants.nodes(tenant), claim, state.machine.name);
  const name = node?.metadata?.name ?? state.machine.name;
  if (!node) {
    if (!(await nodeIsGone(ctx, tenant.core, name))) return {};
    recordEvent(ctx, claim, 'Warning', 'NodeDeleted',
      `node ${name} was deleted from tenant ${claim.spec.vClusterRef}: deleting the NodeClaim to release its machine`);
    ctx.deps.logger.info({ claim: `${claim.metadata.namespace}/${claim.metadata.name}`, node: name }, 'tenant node deleted; deleting its NodeClaim');
    await ctx.store.delete(claim);
    return { halt: true };
  }
  ctx.nodeNames.set(`${tenant.key}/${name}`, `${claim.metadata.namespace}/${claim.metadata.name}`);
  await syncNodeMetadata(ctx, claim, tenant, node, 'joined');
  return readiness(ctx, claim, node);
}

function readiness(ctx: StepContext, claim: NodeClaim, node: V1Node): StepResult {
  const now = ctx.deps.clock.now();
  const name = node.metadata!.name!;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') {
    if (getCondition(claim, 'NodeReady')?.status === 'False') recordEvent(ctx, claim, 'Normal', 'NodeReady', `node ${name} is Ready again`);
    setCondition(claim, 'NodeReady', 'True', 'NodeReady', `node ${name} is Ready`, now);
    return {};
  }
  const since = new Date(ready?.lastTransitionTime ?? getCondition(claim, 'NodeReady')?.lastTransitionTime ?? now);
  const message = `node ${name} has been NotReady for ${duration(now.getTime() - since.getTime())} (since ${since.toISOString()}); ` +
    'it is not replaced automatically: delete the NodeClaim to replace the machine';
  if (getCondition(claim, 'NodeReady')?.status !== 'False') recordEvent(ctx, claim, 'Warning', 'NodeNotReady', message);
  setCondition(claim, 'NodeReady', 'False', 'NodeNotReady', message, now);
  return { requeueAfterMs: NOT_READY_REFRESH_MS };
}

async function nodeIsGone(ctx: StepContext, core: { readNode(p: { name: string }): Promise<unknown> }, name: string): Promise<boolean> {
  try {
    await core.readNode({ name });
    return false;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return true;
    ctx.deps.logger.debug({ node: name, err: (err as Error).message }, 'could not confirm the tenant node is gone');
    return false;
  }
}

/** "45s", "3m05s", "2h01m". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
