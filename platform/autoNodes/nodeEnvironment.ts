/**
 * The NodeEnvironment of a tenant cluster and provider, created lazily the first time the cluster asks
 * that provider for a machine, as the real platform does: `<vcluster>-<provider>` in the project
 * namespace, owned by the VirtualClusterInstance, with empty properties for operators to edit. Every
 * claim of the pair (static and dynamic pools alike) names it in `spec.environmentRef`, so its properties merge between the NodeType's
 * and the claim's. One that exists (made by an operator, or earlier) is used as it is, never rewritten.
 */
import { createHash } from 'node:crypto';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import type { EventRecorder } from '../../plugin/contract.js';
import { GROUP, NODEENVIRONMENTS, VERSION } from '../nodeClaims/types.js';
import type { VciRef } from './claimTemplate.js';

const MAX_NAME = 63;

/** `<vcluster>-<provider>`; longer than a label value allows, it keeps a prefix and a hash of the whole. */
export function nodeEnvironmentName(vcluster: string, provider: string): string {
  const name = `${vcluster}-${provider}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_NAME - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

export function nodeEnvironmentFor(vci: VciRef, provider: string) {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'NodeEnvironment',
    metadata: {
      name: nodeEnvironmentName(vci.name, provider),
      namespace: vci.namespace,
      ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance', name: vci.name, uid: vci.uid }],
    },
    spec: {
      displayName: `${vci.name} on ${provider}`,
      providerRef: provider,
      vClusterRef: vci.name,
      properties: {},
    },
  };
}

/** Creates the pair's NodeEnvironment unless it exists; returns its name (true `created` on the first call). */
export async function ensureNodeEnvironment(custom: CustomObjectsApi, vci: VciRef, provider: string): Promise<{ name: string; created: boolean }> {
  const body = nodeEnvironmentFor(vci, provider);
  try {
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: vci.namespace, plural: NODEENVIRONMENTS, body });
    return { name: body.metadata.name, created: true };
  } catch (err) {
    if ((err as { code?: number }).code === 409) return { name: body.metadata.name, created: false };
    throw err;
  }
}

/** ensureNodeEnvironment for a claim about to be created; the first time, an Event on the VCI says so. */
export async function environmentForClaims(custom: CustomObjectsApi, events: EventRecorder, vci: VciRef, provider: string): Promise<string> {
  const { name, created } = await ensureNodeEnvironment(custom, vci, provider);
  if (created) {
    events.record(
      { apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance', name: vci.name, namespace: vci.namespace, uid: vci.uid },
      'Normal', 'NodeEnvironmentCreated', `NodeEnvironment ${vci.namespace}/${name} created for provider ${provider}: its spec.properties apply to this cluster's machines`,
    );
  }
  return name;
}
