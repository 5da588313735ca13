/** Label, annotation and API names this provider writes or reads, in one place. */
export const FIELD_MANAGER = 'metal3-provider';

export const LABEL = {
  /** On BMHs, IP reservations and Secrets: the NodeClaim uid that holds them. */
  nodeClaim: 'metal3.vcluster.com/node-claim',
  nodeClaimName: 'metal3.vcluster.com/node-claim-name',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

export const ANNOTATION = {
  claimNamespace: 'metal3.vcluster.com/node-claim-namespace',
  claimName: 'metal3.vcluster.com/node-claim-name',
  nodeType: 'metal3.vcluster.com/node-type',
  tenant: 'metal3.vcluster.com/tenant',
  allocatedIp: 'metal3.vcluster.com/allocated-ip',
  ipAddress: 'metal3.vcluster.com/ip-address',
  gateway: 'metal3.vcluster.com/gateway',
  dnsServers: 'metal3.vcluster.com/dns-servers',
  ntpServers: 'metal3.vcluster.com/ntp-servers',
  originalNetwork: 'metal3.vcluster.com/original-network-annotations',
  releasing: 'metal3.vcluster.com/releasing',
  lastTenant: 'metal3.vcluster.com/last-tenant',
  /** The Netris server cluster whose network the host's switch ports were (or are being) moved into. */
  serverCluster: 'metal3.vcluster.com/netris-server-cluster',
  /** The VLAN of that server cluster's network, for views (the dashboard) that show it without asking the fabric. */
  vlanId: 'metal3.vcluster.com/netris-vlan',
  /** On a claim's data Secret: the one host the claim targets (the per-claim lock across replicas). */
  targetHost: 'metal3.vcluster.com/host',
  /** On a BMH: resources inspection cannot see, e.g. `{"nvidia.com/gpu":"8"}`. */
  extendedResources: 'metal3.vcluster.com/extended-resources',
} as const;

/** Baremetal-operator's own annotations the provider reads (a host carrying one is not claimable). */
export const BMO_ANNOTATION = {
  paused: 'baremetalhost.metal3.io/paused',
  detached: 'baremetalhost.metal3.io/detached',
} as const;

/** Claim property naming the Netris server cluster (tenant network) a host must be attached to. */
export const SERVER_CLUSTER_PROPERTY = 'netris.vcluster.com/server-cluster';

/** The DHCP annotations vMetal's DHCP server reads; saved before a claim overwrites them, restored on release. */
export const NETWORK_ANNOTATIONS = [ANNOTATION.ipAddress, ANNOTATION.gateway, ANNOTATION.dnsServers, ANNOTATION.ntpServers] as const;

export const BMH_API = { group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', kind: 'BareMetalHost' } as const;
export const LOFT_API = { group: 'management.loft.sh', version: 'v1' } as const;
export const NODE_CLAIM_API_VERSION = 'management.loft.sh/v1';

/** Objects the provider generated for a claim: selectable by label for clean-up after crashes. */
export function claimSelector(claimUid: string): string {
  return `${LABEL.managedBy}=${FIELD_MANAGER},${LABEL.nodeClaim}=${claimUid}`;
}

export function claimLabels(claim: { uid: string; name: string }): Record<string, string> {
  return { [LABEL.managedBy]: FIELD_MANAGER, [LABEL.nodeClaim]: claim.uid, [LABEL.nodeClaimName]: labelValue(claim.name) };
}

/** `<claim-name>-<first 8 of uid>[-<suffix>]`, trimmed to a valid object name. */
export function claimObjectName(claim: { uid: string; name: string }, suffix?: string): string {
  const shortUid = claim.uid.replace(/[^a-z0-9]/gi, '').slice(0, 8).toLowerCase();
  const tail = suffix ? `-${shortUid}-${suffix}` : `-${shortUid}`;
  return `${claim.name.slice(0, 253 - tail.length)}${tail}`;
}

/** Label values are at most 63 characters and end alphanumeric. */
function labelValue(value: string): string {
  return value.slice(0, 63).replace(/[^a-zA-Z0-9]+$/, '');
}
