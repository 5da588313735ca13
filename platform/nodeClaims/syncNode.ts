/** Keeps a claim's tenant Node carrying the claim's labels and taints (see nodeMetadata.ts), with an Event per change. */
import type { V1Node } from '@kubernetes/client-node';
import { applyNodeMetadata, type NodeStage } from '../tenants/applyNodeMetadata.js';
import type { TenantConnection } from '../tenants/tenantDirectory.js';
import { recordEvent, type StepContext } from './context.js';
import { nodeMetadataFor } from './nodeMetadata.js';
import type { NodeClaim } from './types.js';

export async function syncNodeMetadata(ctx: StepContext, claim: NodeClaim, tenant: TenantConnection, node: V1Node, stage: NodeStage): Promise<void> {
  const nodeType = claim.spec.typeRef ? await ctx.store.nodeType(claim.spec.typeRef) : undefined;
  const change = await applyNodeMetadata(tenant.core, node, nodeMetadataFor(claim, nodeType), stage);
  const parts = [
    change.labels.length ? `labels set: ${change.labels.join(', ')}` : '',
    change.addedTaints.length ? `taints added: ${change.addedTaints.join(', ')}` : '',
    change.removedTaints.length ? `startup taints removed: ${change.removedTaints.join(', ')}` : '',
  ].filter(Boolean);
  if (parts.length === 0) return;
  recordEvent(ctx, claim, 'Normal', 'NodeSynced', `node ${node.metadata!.name} updated: ${parts.join('; ')}`);
}
