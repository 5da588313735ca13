/** Writes of NodeProvider status and NodeType objects (spec via merge patch, status via the status subresource). */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { NodeTypeObject, NodeTypeStatus } from './nodeTypeObject.js';

import { GROUP, NODEPROVIDERS, NODETYPES, VERSION } from '../runtime/apis.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class NodeTypeStore {
  readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async writeProviderStatus(name: string, status: Record<string, unknown>): Promise<void> {
    await this.custom.patchClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural: NODEPROVIDERS, name, body: { status } }, MERGE);
  }

  /** Creates the NodeType, or updates labels, annotations, owner and spec of the existing one. */
  async upsertNodeType(desired: NodeTypeObject, exists: boolean): Promise<void> {
    const name = desired.metadata.name;
    if (!exists) {
      try {
        await this.custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: NODETYPES, body: desired });
        return;
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
    await this.custom.patchClusterCustomObject({
      group: GROUP, version: VERSION, plural: NODETYPES, name,
      body: { metadata: { labels: desired.metadata.labels, annotations: desired.metadata.annotations, ownerReferences: desired.metadata.ownerReferences }, spec: desired.spec },
    }, MERGE);
  }

  async writeNodeTypeStatus(name: string, status: NodeTypeStatus): Promise<void> {
    // Explicit nulls clear reason/message once the type has capacity again.
    const body = { status: { ...status, reason: status.reason ?? null, message: status.message ?? null } };
    await this.custom.patchClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural: NODETYPES, name, body }, MERGE);
  }

  async deleteNodeType(name: string): Promise<void> {
    try {
      await this.custom.deleteClusterCustomObject({ group: GROUP, version: VERSION, plural: NODETYPES, name });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }
}
