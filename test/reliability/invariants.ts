/**
 * What must hold in the cluster whatever happened to the plugin process: read straight from the lab
 * API (not from any plugin cache), so a crash or a second replica cannot hide a leak.
 */
import { expect } from '@jest/globals';
import type { TestLab } from '../support/lab.js';
import type { BareMetalHost } from '../../providers/metal3/types.js';

const CLAIM_LABEL = 'metal3.vcluster.com/node-claim';
const MANAGED = 'app.kubernetes.io/managed-by=metal3-provider';

export interface ClusterView {
  hosts: BareMetalHost[];
  /** claim uid → names of hosts carrying its label */
  hostsByClaim: Map<string, string[]>;
  /** claim uid → reserved addresses */
  ipsByClaim: Map<string, string[]>;
  /** claim uid → generated Secret names */
  secretsByClaim: Map<string, string[]>;
}

export async function readCluster(lab: TestLab): Promise<ClusterView> {
  const list = (await lab.custom.listNamespacedCustomObject({
    group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: lab.namespace,
  })) as { items: BareMetalHost[] };
  const configMaps = await lab.core.listNamespacedConfigMap({ namespace: lab.namespace, labelSelector: MANAGED });
  const secrets = await lab.core.listNamespacedSecret({ namespace: lab.namespace, labelSelector: MANAGED });
  const group = (pairs: [string | undefined, string][]) => {
    const out = new Map<string, string[]>();
    for (const [key, value] of pairs) if (key) out.set(key, [...(out.get(key) ?? []), value]);
    return out;
  };
  return {
    hosts: list.items,
    hostsByClaim: group(list.items.map((h) => [h.metadata.labels?.[CLAIM_LABEL], h.metadata.name])),
    ipsByClaim: group(configMaps.items.map((cm) => [cm.metadata?.labels?.[CLAIM_LABEL], cm.data?.ip ?? '?'])),
    secretsByClaim: group(secrets.items.map((s) => [s.metadata?.labels?.[CLAIM_LABEL], s.metadata?.name ?? '?'])),
  };
}

/** Cluster-wide: no host with two claims (label and consumerRef agree), no IP reserved twice. */
export function expectClusterConsistent(view: ClusterView): void {
  for (const host of view.hosts) {
    const label = host.metadata.labels?.[CLAIM_LABEL];
    const consumer = host.spec.consumerRef?.uid;
    expect({ host: host.metadata.name, consumer: consumer ?? label }).toEqual({ host: host.metadata.name, consumer: label });
  }
  const ips = [...view.ipsByClaim.values()].flat();
  expect(ips.length).toBe(new Set(ips).size);
}

/** The claim holds exactly one host, at most one IP (exactly one when `withIp`), and its one data Secret, which the host references. */
export function expectHeld(view: ClusterView, claimUid: string, opts: { withIp: boolean }): string {
  expectClusterConsistent(view);
  const hosts = view.hostsByClaim.get(claimUid) ?? [];
  expect({ claimUid, hosts: hosts.length }).toEqual({ claimUid, hosts: 1 });
  expect({ claimUid, ips: (view.ipsByClaim.get(claimUid) ?? []).length }).toEqual({ claimUid, ips: opts.withIp ? 1 : 0 });
  const host = view.hosts.find((h) => h.metadata.name === hosts[0]);
  expect({ claimUid, secrets: view.secretsByClaim.get(claimUid) ?? [] })
    .toEqual({ claimUid, secrets: [host?.spec.userData?.name] });
  expect(host?.spec.networkData?.name).toBe(host?.spec.userData?.name);
  return hosts[0];
}

/** The claim holds nothing: no host label, consumerRef, claim annotation, IP reservation or Secret. */
export function expectReleased(view: ClusterView, claimUid: string): void {
  expectClusterConsistent(view);
  expect({
    claimUid,
    hosts: view.hostsByClaim.get(claimUid) ?? [],
    ips: view.ipsByClaim.get(claimUid) ?? [],
    secrets: view.secretsByClaim.get(claimUid) ?? [],
    consumers: view.hosts.filter((h) => h.spec.consumerRef?.uid === claimUid).map((h) => h.metadata.name),
  }).toEqual({ claimUid, hosts: [], ips: [], secrets: [], consumers: [] });
}

/** A host back in the pool carries none of the claim's marks. */
export function expectHostUnclaimed(host: BareMetalHost): void {
  const claimAnnotations = Object.keys(host.metadata.annotations ?? {}).filter(
    (key) => key.startsWith('metal3.vcluster.com/') && key !== 'metal3.vcluster.com/last-tenant' && key !== 'metal3.vcluster.com/extended-resources',
  );
  expect({
    host: host.metadata.name,
    label: host.metadata.labels?.[CLAIM_LABEL],
    consumerRef: host.spec.consumerRef,
    image: host.spec.image,
    userData: host.spec.userData,
    claimAnnotations,
  }).toEqual({ host: host.metadata.name, label: undefined, consumerRef: undefined, image: undefined, userData: undefined, claimAnnotations: [] });
}

