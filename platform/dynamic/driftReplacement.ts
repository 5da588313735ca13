/**
 * The replacement Karpenter launches before it deletes a busy drifted node: one claim of the pool as it
 * is now, planned (plan.ts) for the pods of the drifted node and nominated for them, labelled
 * `vcluster.loft.sh/replaces: <drifted claim>`. Once its node is Ready those pods fit elsewhere and the
 * disruption pass deletes the drifted node (disruption.ts). The pool's limits, its types' free hosts and
 * the Project's quota apply as for any new claim; when one refuses, nothing is created and the reason
 * is returned.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { environmentForClaims } from '../autoNodes/nodeEnvironment.js';
import { Quota } from '../autoNodes/quota.js';
import { claimRef, GROUP, LABEL_POOL, LABEL_VCLUSTER, NODECLAIMS, REPLACES_ANNOTATION, VERSION, type NodeClaim } from '../nodeClaims/types.js';
import { podKey, type DynamicContext, type TenantState } from './context.js';
import { claimForPlannedNode } from './dynamicClaim.js';
import { planBatch } from './plan.js';
import { claimsPerType, poolOption, type DynamicPoolRef } from './poolView.js';

export async function launchDriftReplacement(
  ctx: DynamicContext, t: TenantState, ref: DynamicPoolRef, drifted: NodeClaim, pods: V1Pod[],
): Promise<{ created: NodeClaim } | { refused: string }> {
  // Read live: the informer may not show a replacement created a pass ago.
  const mine = ((await ctx.custom.listNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: t.vci.namespace, plural: NODECLAIMS, labelSelector: `${LABEL_VCLUSTER}=${t.vci.name},${LABEL_POOL}=${ref.pool.name}`,
  })) as { items: NodeClaim[] }).items.filter((c) => !c.metadata.deletionTimestamp);
  const existing = mine.find((c) => c.metadata.annotations?.[REPLACES_ANNOTATION] === drifted.metadata.name);
  if (existing) return { created: existing };
  const types = await ctx.nodeTypes();
  const held = claimsPerType(ctx.claims().filter((c) => !c.metadata.deletionTimestamp));
  const option = poolOption(ref, types, mine.filter((c) => c.status?.phase !== 'Failed'), held);
  const plan = planBatch(pods.map((pod) => ({ key: podKey(pod), pod })), [option], []);
  if (plan.claims.length !== 1 || plan.unschedulable.length > 0) {
    return { refused: plan.unschedulable[0]?.message ?? `its ${pods.length} pod(s) need more than one new node` };
  }
  const quota = await Quota.of(ctx.projects, ctx.custom, t.vci.namespace);
  if (!quota.admit(ref.entry.provider, `dynamic pool ${ref.pool.name}: a replacement for drifted NodeClaim ${drifted.metadata.name}`)) {
    return { refused: quota.refusal!.message };
  }
  const [planned] = plan.claims;
  const type = types.find((x) => x.name === planned.type.name)!;
  const body = claimForPlannedNode(t.vci, ref, type, planned.pods.map((p) => p.key), planned.requests,
    await environmentForClaims(ctx.custom, ctx.deps.events, t.vci, ref.entry.provider));
  body.metadata.annotations = { ...body.metadata.annotations, [REPLACES_ANNOTATION]: drifted.metadata.name! };
  const created = (await ctx.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: t.vci.namespace, plural: NODECLAIMS, body })) as NodeClaim;
  ctx.deps.events.record(claimRef(drifted), 'Normal', 'DriftReplacement',
    `NodeClaim ${created.metadata.name} (node type ${type.name}) created for the ${pods.length} pod(s) of this drifted one; this one is deleted once they fit there`);
  return { created };
}
