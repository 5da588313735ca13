/**
 * What the chaos run checks, read straight from the APIs (never from a platform or plugin cache): hosts,
 * IP reservations and generated Secrets from every site's own API (not through the WAN link a site
 * outage cuts), claims and NodeTypes from the management API, join tokens and the run's pods from the
 * tenant APIs.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { Tenant } from '../../lab/vcluster/index.js';
import type { World } from '../../lab/world.js';
import { HOST_NAMESPACE } from '../../lab/world.js';
import { podRequests, parseResources, type Resources } from '../../common/podFit.js';
import { CLAIM_UID_LABEL } from '../../platform/tenants/joinTokens.js';
import { LABEL_POOL, LABEL_VCLUSTER } from '../../platform/nodeClaims/types.js';
import { ANNOTATION, LABEL } from '../../providers/metal3/names.js';

const MANAGED = `${LABEL.managedBy}=metal3-provider`;
/** Annotations that stay on a host between claims by design. */
const HOST_OWN_ANNOTATIONS = new Set([ANNOTATION.lastTenant, 'metal3.vcluster.com/extended-resources']);

/** The label on every pod the chaos run creates in a tenant. */
export const CHAOS_POD_LABEL = 'chaos.metal3.vcluster.com/pod';

export interface HostView {
  name: string;
  /** The connected cluster (site) that holds the host; '' when the fleet is in the management cluster. */
  site: string;
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
  /** The NodeType the claim was scheduled to (`<provider>.<type>`). */
  typeRef?: string;
  phase?: string;
  reason?: string;
  /** `type=status(reason)` of each condition, for reports. */
  conditions?: string;
  deleting: boolean;
}

export interface Owned { name: string; claimUid: string }

export interface NodeTypeView {
  name: string;
  zone?: string;
  resources: Resources;
  /** The Synced condition: false while the provider cannot reach the type's site. */
  synced?: boolean;
}

/** A pod the chaos run created in a tenant (labelled CHAOS_POD_LABEL). */
export interface PodView {
  tenant: string;
  name: string;
  phase: string;
  requests: Resources;
  node?: string;
  deleting: boolean;
}

export interface ClusterSnapshot {
  hosts: HostView[];
  claims: ClaimView[];
  /** IP reservations (ConfigMaps the plugin creates if absent) with their pool-qualified address `pool/ip`. */
  reservations: (Owned & { ip: string })[];
  secrets: Owned[];
  /** Bootstrap-token Secrets in the tenants, per claim uid label. */
  tokens: (Owned & { tenant: string })[];
  nodeTypes: NodeTypeView[];
  pods: PodView[];
}

interface RawHost {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { consumerRef?: { uid?: string } };
  status?: { provisioning?: { state?: string }; errorType?: string };
}

interface RawClaim {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: unknown };
  spec?: { typeRef?: string };
  status?: { phase?: string; reason?: string; conditions?: { type: string; status: string; reason?: string }[] };
}

interface RawNodeType {
  metadata: { name: string };
  spec?: { zone?: string; resources?: Record<string, string> };
  status?: { conditions?: { type: string; status: string }[] };
}

/** Where hosts, reservations and generated Secrets live: each site's own API, or the management API. */
function hostClusters(world: World): { site: string; kubeConfig: KubeConfig }[] {
  return world.sites.length > 0 ? world.sites.map((s) => ({ site: s.name, kubeConfig: s.kubeConfig })) : [{ site: '', kubeConfig: world.kubeConfig }];
}

async function readSite(site: string, kubeConfig: KubeConfig): Promise<Pick<ClusterSnapshot, 'hosts' | 'reservations' | 'secrets'>> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const [hostList, configMaps, secrets] = await Promise.all([
    custom.listNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace: HOST_NAMESPACE, plural: 'baremetalhosts' }) as Promise<{ items: RawHost[] }>,
    core.listConfigMapForAllNamespaces({ labelSelector: MANAGED }),
    core.listSecretForAllNamespaces({ labelSelector: MANAGED }),
  ]);
  const at = site ? `${site}:` : '';
  return {
    hosts: hostList.items.map((h) => ({
      name: h.metadata.name,
      site,
      state: h.status?.provisioning?.state ?? '',
      claimLabel: h.metadata.labels?.[LABEL.nodeClaim],
      consumerUid: h.spec?.consumerRef?.uid,
      errorType: h.status?.errorType || undefined,
      claimAnnotations: Object.keys(h.metadata.annotations ?? {}).filter((k) => k.startsWith('metal3.vcluster.com/') && !HOST_OWN_ANNOTATIONS.has(k)),
    })),
    // Each site has its own provisioning network: an address is qualified by its site.
    reservations: configMaps.items.map((cm) => ({ name: `${at}${cm.metadata?.name ?? '?'}`, claimUid: cm.metadata?.labels?.[LABEL.nodeClaim] ?? '', ip: `${at}${cm.data?.pool ?? '?'}/${cm.data?.ip ?? '?'}` })),
    secrets: secrets.items.map((x) => ({ name: `${at}${x.metadata?.name ?? '?'}`, claimUid: x.metadata?.labels?.[LABEL.nodeClaim] ?? '' })),
  };
}

const tenantClients = new WeakMap<Tenant, CoreV1Api>();

/**
 * One client per tenant cluster for the whole run: `api.kubeConfig()` makes a new keep-alive agent each
 * time, and a fresh one per poll meant new TLS handshakes several times a second in the run's own process.
 */
export function tenantCore(tenant: Tenant): CoreV1Api {
  let core = tenantClients.get(tenant);
  if (!core) {
    core = tenant.api.kubeConfig().makeApiClient(CoreV1Api);
    tenantClients.set(tenant, core);
  }
  return core;
}

async function readTenant(name: string, core: CoreV1Api): Promise<Pick<ClusterSnapshot, 'tokens' | 'pods'>> {
  const [tokens, pods] = await Promise.all([
    core.listNamespacedSecret({ namespace: 'kube-system', labelSelector: CLAIM_UID_LABEL }),
    core.listPodForAllNamespaces({ labelSelector: CHAOS_POD_LABEL }),
  ]);
  return {
    tokens: tokens.items.map((s) => ({ tenant: name, name: s.metadata?.name ?? '?', claimUid: s.metadata?.labels?.[CLAIM_UID_LABEL] ?? '' })),
    pods: pods.items.map((p: V1Pod) => ({
      tenant: name, name: p.metadata?.name ?? '?', phase: p.status?.phase ?? 'Pending', requests: podRequests(p), node: p.spec?.nodeName || undefined,
      deleting: Boolean(p.metadata?.deletionTimestamp),
    })),
  };
}

export async function readCluster(world: World): Promise<ClusterSnapshot> {
  const custom = world.kubeConfig.makeApiClient(CustomObjectsApi);
  const [claimList, typeList, sites, tenants] = await Promise.all([
    custom.listClusterCustomObject({ group: 'management.loft.sh', version: 'v1', plural: 'nodeclaims' }) as Promise<{ items: RawClaim[] }>,
    custom.listClusterCustomObject({ group: 'management.loft.sh', version: 'v1', plural: 'nodetypes' }) as Promise<{ items: RawNodeType[] }>,
    Promise.all(hostClusters(world).map((c) => readSite(c.site, c.kubeConfig))),
    Promise.all(world.tenants.tenants().map((t) => readTenant(t.name, tenantCore(t)))),
  ]);
  return {
    hosts: sites.flatMap((x) => x.hosts),
    claims: claimList.items.map((c) => ({
      namespace: c.metadata.namespace, name: c.metadata.name, uid: c.metadata.uid,
      tenant: c.metadata.labels?.[LABEL_VCLUSTER], pool: c.metadata.labels?.[LABEL_POOL], typeRef: c.spec?.typeRef,
      phase: c.status?.phase, reason: c.status?.reason,
      conditions: c.status?.conditions?.map((x) => `${x.type}=${x.status}(${x.reason ?? ''})`).join(' '),
      deleting: Boolean(c.metadata.deletionTimestamp),
    })),
    reservations: sites.flatMap((x) => x.reservations),
    secrets: sites.flatMap((x) => x.secrets),
    tokens: tenants.flatMap((x) => x.tokens),
    nodeTypes: typeList.items.map((t) => {
      const synced = t.status?.conditions?.find((c) => c.type === 'Synced');
      return { name: t.metadata.name, zone: t.spec?.zone, resources: parseResources(t.spec?.resources), synced: synced ? synced.status === 'True' : undefined };
    }),
    pods: tenants.flatMap((x) => x.pods),
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
