/** Builders for VirtualClusterInstances (vcluster.yaml with privateNodes.autoNodes) and Projects, in any namespace. */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { Condition, NodeClaim } from '../../../platform/nodeClaims/types.js';
import { GROUP, VERSION, type Harness } from './harness.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface VciObject { metadata: { name: string; uid: string; namespace: string }; status?: { conditions?: Condition[] } }

export function vciValues(autoNodes: unknown, enabled = true): string {
  return stringify({ privateNodes: { enabled, autoNodes } });
}

const api = (namespace: string) => ({ group: GROUP, version: VERSION, namespace, plural: 'virtualclusterinstances' });

export async function createVci(h: Harness, namespace: string, name: string, autoNodes: unknown): Promise<void> {
  await h.custom.createNamespacedCustomObject({
    ...api(namespace),
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance', metadata: { name }, spec: { template: { helmRelease: { values: vciValues(autoNodes) } } } },
  });
}

/** Replaces the VCI's vcluster.yaml (`values` as given, e.g. from vciValues). */
export async function setVciValues(h: Harness, namespace: string, name: string, values: string): Promise<void> {
  await h.custom.patchNamespacedCustomObject({ ...api(namespace), name, body: { spec: { template: { helmRelease: { values } } } } }, MERGE);
}

export async function vciCondition(h: Harness, namespace: string, name: string, type: string): Promise<Condition | undefined> {
  const vci = (await h.custom.getNamespacedCustomObject({ ...api(namespace), name })) as VciObject;
  return vci.status?.conditions?.find((c) => c.type === type);
}

/** The VCI's claims not being deleted. */
export async function liveClaimsOf(h: Harness, namespace: string, vci: string): Promise<NodeClaim[]> {
  const list = (await h.custom.listNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace, plural: 'nodeclaims', labelSelector: `vcluster.loft.sh/vcluster=${vci}`,
  })) as { items: NodeClaim[] };
  return list.items.filter((c) => !c.metadata.deletionTimestamp);
}

/** Creates the Project, or replaces its spec. */
export async function setProject(h: Harness, name: string, spec: Record<string, unknown>): Promise<void> {
  const ref = { group: GROUP, version: VERSION, plural: 'projects', name };
  try {
    const current = (await h.custom.getClusterCustomObject(ref)) as { metadata: { resourceVersion: string } };
    await h.custom.replaceClusterCustomObject({ ...ref, body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'Project', metadata: { name, resourceVersion: current.metadata.resourceVersion }, spec } });
  } catch (err) {
    if ((err as { code?: number }).code !== 404) throw err;
    await h.custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'projects', body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'Project', metadata: { name }, spec } });
  }
}
