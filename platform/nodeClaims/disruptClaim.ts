/**
 * Deletes a claim on purpose (a dynamic pool's disruption, a drift replacement): an Event on the claim
 * saying why, the reason kept in an annotation, then the delete, which hands the claim to the NodeClaim
 * controller's termination (drain, delete the Node, release the machine). A claim already gone is fine.
 */
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import type { PlatformDeps } from '../deps.js';
import { claimRef, DISRUPTION_REASON_ANNOTATION, GROUP, NODECLAIMS, VERSION, type NodeClaim } from './types.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export async function disruptClaim(
  custom: CustomObjectsApi, deps: Pick<PlatformDeps, 'events' | 'logger'>, claim: NodeClaim, reason: string, message: string,
): Promise<void> {
  deps.events.record(claimRef(claim), 'Normal', 'Disrupting', `${reason}: ${message}`);
  deps.logger.info({ claim: `${claim.metadata.namespace}/${claim.metadata.name}`, reason }, 'disrupting node');
  const target = { group: GROUP, version: VERSION, namespace: claim.metadata.namespace!, plural: NODECLAIMS, name: claim.metadata.name! };
  try {
    await custom.patchNamespacedCustomObject({ ...target, body: { metadata: { annotations: { [DISRUPTION_REASON_ANNOTATION]: reason } } } }, MERGE);
    await custom.deleteNamespacedCustomObject(target);
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
  }
}
