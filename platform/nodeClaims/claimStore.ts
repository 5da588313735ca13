/**
 * Reads and writes of NodeClaims and NodeTypes in the management API. Metadata and spec writes carry
 * the claim's resourceVersion (a stale claim gets 409 and is reconciled again); status goes through
 * the status subresource.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { NodeTypeCandidate } from '../scheduling/pickNodeType.js';
import { GROUP, NODECLAIMS, NODETYPES, VERSION, type NodeClaim } from './types.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface NodeTypeObject {
  metadata: { name: string };
  spec?: { providerRef?: string; properties?: Record<string, string>; resources?: Record<string, string>; cost?: number; zone?: string };
  status?: { cost?: number; capacity?: { total?: number; claimed?: number }; conditions?: { type: string; status: string; message?: string }[] };
}

/** A NodeType object as the scheduler and the drift check read it. */
export function candidate(t: NodeTypeObject): NodeTypeCandidate {
  return {
    name: t.metadata.name,
    providerRef: t.spec?.providerRef ?? t.metadata.name.split('.')[0],
    properties: t.spec?.properties ?? {},
    resources: t.spec?.resources ?? {},
    cost: t.status?.cost ?? t.spec?.cost,
    zone: t.spec?.zone,
    capacity: { total: t.status?.capacity?.total ?? 0, claimed: t.status?.capacity?.claimed ?? 0 },
    // Synced False: the provider cannot reach the type's machines (its site is down); nothing new goes there.
    unavailable: t.status?.conditions?.find((c) => c.type === 'Synced' && c.status === 'False')?.message,
  };
}

export class ClaimStore {
  readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async get(namespace: string, name: string): Promise<NodeClaim | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: NODECLAIMS, name })) as NodeClaim;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async setFinalizers(claim: NodeClaim, finalizers: string[]): Promise<NodeClaim> {
    return this.patch(claim, { metadata: { finalizers, resourceVersion: claim.metadata.resourceVersion } });
  }

  async setTypeRef(claim: NodeClaim, typeRef: string): Promise<NodeClaim> {
    return this.patch(claim, { metadata: { resourceVersion: claim.metadata.resourceVersion }, spec: { typeRef } });
  }

  /** Removes one annotation, guarded by the claim's resourceVersion. */
  async removeAnnotation(claim: NodeClaim, key: string): Promise<NodeClaim> {
    return this.patch(claim, { metadata: { resourceVersion: claim.metadata.resourceVersion, annotations: { [key]: null } } });
  }

  async writeStatus(claim: NodeClaim): Promise<NodeClaim> {
    try {
      return (await this.custom.patchNamespacedCustomObjectStatus({
        group: GROUP, version: VERSION, namespace: claim.metadata.namespace!, plural: NODECLAIMS, name: claim.metadata.name!,
        body: { status: { ...claim.status, reason: claim.status?.reason ?? null, message: claim.status?.message ?? null } },
      }, MERGE)) as NodeClaim;
    } catch (err) {
      // The claim vanished between read and write: nothing left to record.
      if ((err as { code?: number }).code === 404) return claim;
      throw err;
    }
  }

  async nodeTypes(): Promise<NodeTypeCandidate[]> {
    const list = (await this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: NODETYPES })) as { items: NodeTypeObject[] };
    return list.items.map(candidate);
  }

  /** One NodeType by its full name; undefined when it does not exist. */
  async nodeType(name: string): Promise<NodeTypeCandidate | undefined> {
    try {
      return candidate((await this.custom.getClusterCustomObject({ group: GROUP, version: VERSION, plural: NODETYPES, name })) as NodeTypeObject);
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async delete(claim: NodeClaim): Promise<void> {
    try {
      await this.custom.deleteNamespacedCustomObject({
        group: GROUP, version: VERSION, namespace: claim.metadata.namespace!, plural: NODECLAIMS, name: claim.metadata.name!,
        body: { preconditions: { uid: claim.metadata.uid } },
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }

  private async patch(claim: NodeClaim, body: object): Promise<NodeClaim> {
    return (await this.custom.patchNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: claim.metadata.namespace!, plural: NODECLAIMS, name: claim.metadata.name!, body,
    }, MERGE)) as NodeClaim;
  }
}
