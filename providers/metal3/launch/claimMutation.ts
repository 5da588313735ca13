/**
 * Launch step 3 (pure): the BareMetalHost as it must look once claimed — consumerRef, claim label
 * and annotations, image, user/network data references, online, and the DHCP annotations for an
 * allocated IP (originals saved once, for restore on release). Written in ONE guarded PUT. Both
 * data references name the claim's one data Secret (keys `userData` and `networkData`).
 */
import type { NodeClaimView } from '../../../plugin/contract.js';
import type { ImageSpec } from '../image.js';
import type { IpPool } from '../ipam/pool.js';
import { ANNOTATION, LABEL, NETWORK_ANNOTATIONS, NODE_CLAIM_API_VERSION } from '../names.js';
import type { BareMetalHost, SecretReference } from '../types.js';

export interface ClaimMutation {
  claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace' | 'nodeType'>;
  tenant: string;
  image: ImageSpec;
  userData: SecretReference;
  networkData: SecretReference;
  ip?: { address: string; pool: IpPool };
}

/**
 * A new object: the cached `host` is never changed. Only `metadata` and `spec` are copied (one level: every
 * field written below is replaced, never changed in place); `status` (the inspected hardware, the bulk of a
 * host) is shared, not deep-copied, since nothing writes it.
 */
export function claimedHost(host: BareMetalHost, change: ClaimMutation): BareMetalHost {
  const { claim } = change;
  const next: BareMetalHost = { ...host, metadata: { ...host.metadata }, spec: { ...host.spec } };
  const annotations: Record<string, string> = { ...next.metadata.annotations };
  annotations[ANNOTATION.claimNamespace] = claim.namespace;
  annotations[ANNOTATION.claimName] = claim.name;
  annotations[ANNOTATION.nodeType] = claim.nodeType;
  annotations[ANNOTATION.tenant] = change.tenant;
  if (change.ip) {
    if (annotations[ANNOTATION.originalNetwork] === undefined) {
      annotations[ANNOTATION.originalNetwork] = JSON.stringify(pick(host.metadata.annotations, NETWORK_ANNOTATIONS));
    }
    const { address, pool } = change.ip;
    annotations[ANNOTATION.allocatedIp] = address;
    annotations[ANNOTATION.ipAddress] = `${address}/${pool.prefixLength}`;
    annotations[ANNOTATION.gateway] = pool.gateway;
    setOrDelete(annotations, ANNOTATION.dnsServers, pool.dns.join(','));
    setOrDelete(annotations, ANNOTATION.ntpServers, pool.ntp.join(','));
  }
  next.metadata.annotations = annotations;
  next.metadata.labels = { ...next.metadata.labels, [LABEL.nodeClaim]: claim.uid };
  next.spec.consumerRef = { apiVersion: NODE_CLAIM_API_VERSION, kind: 'NodeClaim', name: claim.name, namespace: claim.namespace, uid: claim.uid };
  next.spec.image = withoutUndefined({ ...change.image });
  next.spec.userData = change.userData;
  next.spec.networkData = change.networkData;
  next.spec.online = true;
  return next;
}

/** Whether the host already carries everything a claim writes (so a repeated createNode writes nothing). */
export function isFullyClaimed(host: BareMetalHost, claimUid: string): boolean {
  const { spec, metadata } = host;
  return (
    metadata.labels?.[LABEL.nodeClaim] === claimUid &&
    spec.consumerRef?.uid === claimUid &&
    !!spec.image?.url &&
    !!spec.userData?.name &&
    !!spec.networkData?.name &&
    spec.online === true
  );
}

/** Whether both data references of the host point at `ref` (the claim's one data Secret). */
export function usesRecord(host: BareMetalHost, ref: SecretReference): boolean {
  const same = (other?: SecretReference) => other?.name === ref.name && (other.namespace ?? host.metadata.namespace) === ref.namespace;
  return same(host.spec.userData) && same(host.spec.networkData);
}

function pick(source: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) if (source?.[key] !== undefined) out[key] = source[key];
  return out;
}

function setOrDelete(target: Record<string, string>, key: string, value: string): void {
  if (value) target[key] = value;
  else delete target[key];
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
