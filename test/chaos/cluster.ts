/**
 * What the chaos run checks, read straight from the management API and the tenant APIs (never from a
 * platform or plugin cache): hosts, claims, IP reservations, generated Secrets and join tokens.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { World } from '../../lab/world.js';
import { HOST_NAMESPACE } from '../../lab/world.js';
import { CLAIM_UID_LABEL } from '../../platform/tenants/joinTokens.js';
import { LABEL_POOL, LABEL_VCLUSTER } from '../../platform/nodeClaims/types.js';
import { ANNOTATION, LABEL } from '../../providers/metal3/names.js';

const MANAGED = `${LABEL.managedBy}=metal3-provider`;
/** Annotations that stay on a host between claims by design. */
const HOST_OWN_ANNOTATIONS = new Set([ANNOTATION.lastTenant, 'metal3.vcluster.com/extended-resources']);

export interface HostView {
  name: string;
  state: string;
  claimLabel?: string;
  consumerUid?: string;
  errorType?: string;
  /** `metal3.vcluster.com/*` annotations a claim writes (the host's own last-tenant/extended-resources excluded). */
  claimAnnotations: string[];
}

export interface ClaimView {
  namespace: string;
  name: string;
  uid: string;
  tenant?: string;
  pool?: string;
  phase?: string;
  reason?: string;
  /** `type=status(reason)` of each condition, for reports. */
  conditions?: string;
  deleting: boolean;
}

export interface Owned { name: string; claimUid: string }

export interface ClusterSnapshot {
  hosts: HostView[];
  claims: ClaimView[];
  /** IP reservations (ConfigMaps the plugin creates if absent) with their pool-qualified address `pool/ip`. */
  reservations: (Owned & { ip: string })[];
  secrets: Owned[];
  /** Bootstrap-token Secrets in the tenants, per claim uid label. */
  tokens: (Owned & { tenant: string })[];
}

interface RawHost {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { consumerRef?: { uid?: string } };
  status?: { provisioning?: { state?: string }; errorType?: string };
}

interface RawClaim {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: unknown };
  status?: { phase?: string; reason?: string; conditions?: { type: string; status: string; reason?: string }[] };
}

export async function readCluster(world: World): Promise<ClusterSnapshot> {
  const custom = world.kubeConfig.makeApiClient(CustomObjectsApi);
  const core = world.kubeConfig.makeApiClient(CoreV1Api);
  const hostList = (await custom.listNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace: HOST_NAMESPACE, plural: 'baremetalhosts' })) as { items: RawHost[] };
  const claimList = (await custom.listClusterCustomObject({ group: 'management.loft.sh', version: 'v1', plural: 'nodeclaims' })) as { items: RawClaim[] };
  const configMaps = await core.listConfigMapForAllNamespaces({ labelSelector: MANAGED });
  const secrets = await core.listSecretForAllNamespaces({ labelSelector: MANAGED });
  const tokens: ClusterSnapshot['tokens'] = [];
  for (const tenant of world.tenants.tenants()) {
    const list = await tenant.api.kubeConfig().makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: 'kube-system', labelSelector: CLAIM_UID_LABEL });
    for (const s of list.items) tokens.push({ tenant: tenant.name, name: s.metadata?.name ?? '?', claimUid: s.metadata?.labels?.[CLAIM_UID_LABEL] ?? '' });
  }
  return {
    hosts: hostList.items.map((h) => ({
      name: h.metadata.name,
      state: h.status?.provisioning?.state ?? '',
      claimLabel: h.metadata.labels?.[LABEL.nodeClaim],
      consumerUid: h.spec?.consumerRef?.uid,
      errorType: h.status?.errorType || undefined,
      claimAnnotations: Object.keys(h.metadata.annotations ?? {}).filter((k) => k.startsWith('metal3.vcluster.com/') && !HOST_OWN_ANNOTATIONS.has(k)),
    })),
    claims: claimList.items.map((c) => ({
      namespace: c.metadata.namespace, name: c.metadata.name, uid: c.metadata.uid,
      tenant: c.metadata.labels?.[LABEL_VCLUSTER], pool: c.metadata.labels?.[LABEL_POOL],
      phase: c.status?.phase, reason: c.status?.reason,
      conditions: c.status?.conditions?.map((x) => `${x.type}=${x.status}(${x.reason ?? ''})`).join(' '),
      deleting: Boolean(c.metadata.deletionTimestamp),
    })),
    reservations: configMaps.items.map((cm) => ({ name: cm.metadata?.name ?? '?', claimUid: cm.metadata?.labels?.[LABEL.nodeClaim] ?? '', ip: `${cm.data?.pool ?? '?'}/${cm.data?.ip ?? '?'}` })),
    secrets: secrets.items.map((s) => ({ name: s.metadata?.name ?? '?', claimUid: s.metadata?.labels?.[LABEL.nodeClaim] ?? '' })),
    tokens,
  };
}

/** Reads until one attempt gets through the injected API faults. */
export async function readClusterPatiently(world: World, tries = 20): Promise<ClusterSnapshot> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await readCluster(world);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`could not read the cluster: ${(last as Error)?.message ?? String(last)}`);
}
