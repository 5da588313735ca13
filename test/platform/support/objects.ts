/** Builders for the objects the claim controllers read: NodeTypes, NodeClaims, VCIs, tenant Nodes and Pods. */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { NodeClaim } from '../../../platform/nodeClaims/types.js';
import { GROUP, PROJECT_NS, VERSION, type Harness } from './harness.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export async function createNodeType(
  h: Harness, provider: string, name: string,
  opts: { properties?: Record<string, string>; resources?: Record<string, string>; cost?: number; total?: number; claimed?: number } = {},
): Promise<void> {
  const full = `${provider}.${name}`;
  await h.custom.createClusterCustomObject({
    group: GROUP, version: VERSION, plural: 'nodetypes',
    body: {
      apiVersion: `${GROUP}/${VERSION}`, kind: 'NodeType', metadata: { name: full },
      spec: { providerRef: provider, properties: opts.properties ?? {}, resources: opts.resources ?? { cpu: '8', memory: '32Gi' }, cost: opts.cost ?? 10 },
    },
  });
  await h.custom.patchClusterCustomObjectStatus({
    group: GROUP, version: VERSION, plural: 'nodetypes', name: full,
    body: { status: { capacity: { total: opts.total ?? 10, claimed: opts.claimed ?? 0 } } },
  }, MERGE);
}

export async function createClaim(h: Harness, spec: Partial<NodeClaim['spec']> & { providerRef: string }, name?: string): Promise<NodeClaim> {
  return (await h.custom.createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'nodeclaims',
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'NodeClaim', metadata: name ? { name } : { generateName: 'claim-' }, spec },
  })) as NodeClaim;
}

export async function getClaim(h: Harness, name: string): Promise<NodeClaim | undefined> {
  try {
    return (await h.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'nodeclaims', name })) as NodeClaim;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

export async function listClaims(h: Harness, labelSelector?: string): Promise<NodeClaim[]> {
  const list = (await h.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'nodeclaims', labelSelector })) as { items: NodeClaim[] };
  return list.items;
}

export async function deleteClaim(h: Harness, name: string): Promise<void> {
  await h.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'nodeclaims', name });
}

export function condition(c: NodeClaim | undefined, type: string) {
  return c?.status?.conditions?.find((x) => x.type === type);
}

/** Registers a Node in the tenant API the way a joining kubelet would (Ready as given). */
export async function joinTenantNode(h: Harness, name: string, ready = true): Promise<void> {
  await h.tenantCore.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name } } } });
  await h.tenantCore.patchNodeStatus({
    name, body: { status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'KubeletReady', message: 'ready' }] } },
  }, MERGE);
}

export async function tokenSecrets(h: Harness, claimUid: string) {
  return (await h.tenantCore.listNamespacedSecret({ namespace: 'kube-system', labelSelector: `platform.vcluster.com/node-claim-uid=${claimUid}` })).items;
}
