/**
 * A compact picture of the lab world for the live demo view: hosts by BMH state, claims by phase,
 * joined nodes per tenant, which network each host's switch ports are in (Netris), and the notable
 * transitions between two pictures.
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { PARKING_LOT, type EmulatedPort } from '../netris/emulator.js';
import type { TenantManager } from '../vcluster/index.js';

export interface HostView {
  name: string;
  state: string;
  claim?: string;
  error?: string;
  /** `parking-lot` or the server cluster the host's PXE switch port is in; absent without a fabric or before inspection. */
  network?: string;
  vlanId?: number;
  /** The switches have not applied the last move of that port yet. */
  applying?: boolean;
}
export interface ClaimView {
  name: string;
  tenant: string;
  type: string;
  phase: string;
  deleting: boolean;
  createdAt?: number;
  provisionedAt?: number;
  joinedAt?: number;
}
export interface LabSnapshot {
  at: number;
  hosts: HostView[];
  claims: ClaimView[];
  /** Ready node names per tenant. */
  nodes: Record<string, string[]>;
}

interface Obj {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string; deletionTimestamp?: string };
  spec?: { typeRef?: string; vClusterRef?: string };
  status?: {
    phase?: string;
    provisioning?: { state?: string };
    errorType?: string;
    hardware?: { nics?: { mac?: string; pxe?: boolean; lldp?: { portID?: string } }[] };
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  };
}

const time = (iso?: string | Date) => (iso ? new Date(iso).getTime() : undefined);

/** What the lab's fabric reports about its switch ports (the Netris emulator, read in-process for display). */
export type PortSource = () => EmulatedPort[];

export async function takeSnapshot(
  custom: CustomObjectsApi, tenants: TenantManager, hostNamespace: string, project: string, ports?: PortSource,
  /** Where the BareMetalHosts live: each site's cluster; default the management cluster (`custom`). */
  hostClusters: CustomObjectsApi[] = [custom],
): Promise<LabSnapshot> {
  const lists = await Promise.all(hostClusters.map((api) =>
    api.listNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace: hostNamespace, plural: 'baremetalhosts' }) as Promise<{ items: Obj[] }>));
  const hosts = { items: lists.flatMap((l) => l.items) };
  const claims = (await custom.listNamespacedCustomObject({ group: 'management.loft.sh', version: 'v1', namespace: project, plural: 'nodeclaims' })) as { items: Obj[] };
  const nodes: Record<string, string[]> = {};
  for (const tenant of tenants.tenants()) {
    if (tenant.project && tenant.project !== project.replace(/^p-/, '')) continue;
    try {
      const list = await tenant.api.kubeConfig().makeApiClient(CoreV1Api).listNode();
      nodes[tenant.name] = list.items
        .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
        .map((n) => n.metadata!.name!);
    } catch {
      nodes[tenant.name] = []; // tenant going away
    }
  }
  const condTime = (o: Obj, type: string) => {
    const c = o.status?.conditions?.find((x) => x.type === type && x.status === 'True');
    return time(c?.lastTransitionTime);
  };
  const portByMac = new Map((ports?.() ?? []).filter((p) => p.mac).map((p) => [p.mac!, p]));
  return {
    at: Date.now(),
    hosts: hosts.items.map((h) => ({
      name: h.metadata.name,
      state: h.status?.provisioning?.state || 'unknown',
      claim: h.metadata.annotations?.['metal3.vcluster.com/node-claim-name'] ?? h.metadata.labels?.['metal3.vcluster.com/node-claim'],
      error: h.status?.errorType || undefined,
      ...networkOf(h, portByMac),
    })).sort((a, b) => a.name.localeCompare(b.name)),
    claims: claims.items.map((c) => ({
      name: c.metadata.name,
      tenant: c.spec?.vClusterRef ?? '',
      type: (c.spec?.typeRef ?? '').replace(/^metal3-provider\./, '') || '?',
      phase: c.status?.phase ?? 'Pending',
      deleting: Boolean(c.metadata.deletionTimestamp),
      createdAt: time(c.metadata.creationTimestamp),
      provisionedAt: condTime(c, 'Provisioned'),
      joinedAt: condTime(c, 'Joined'),
    })).sort((a, b) => a.name.localeCompare(b.name)),
    nodes,
  };
}

/** The fabric moves all of a host's ports together; its PXE NIC's port stands for the host. */
function networkOf(host: Obj, portByMac: Map<string, EmulatedPort>): Pick<HostView, 'network' | 'vlanId' | 'applying'> {
  const nics = (host.status?.hardware?.nics ?? []).filter((n) => n.mac && n.lldp?.portID);
  const nic = nics.find((n) => n.pxe) ?? nics[0];
  const port = nic ? portByMac.get(nic.mac!.toLowerCase()) : undefined;
  return port ? { network: port.network, vlanId: port.vlanId, applying: port.status !== 'active' } : {};
}

function countBy<T>(items: T[], key: (t: T) => string): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ${n}`).join(' · ') || 'none';
}

/** The live block: three short lines, then one per network that holds hosts (with a fabric). */
export function renderBlock(s: LabSnapshot, networkLabel: (network: string) => string = (n) => n): string[] {
  const claimPhase = (c: ClaimView) => (c.deleting ? 'Deleting' : c.phase);
  const nodes = Object.entries(s.nodes).map(([t, n]) => `${t} ${n.length}`).join(' · ') || 'none';
  return [
    `  hosts   ${countBy(s.hosts, (h) => h.state)}`,
    `  claims  ${countBy(s.claims, claimPhase)}`,
    `  joined  ${nodes}`,
    ...renderNetworks(s.hosts, networkLabel),
  ];
}

/** `  net     parking-lot (VLAN 10): 6 hosts` and `  net     tenant-1 (VLAN 100): gpu-h100-01 provisioned, …`. */
function renderNetworks(hosts: HostView[], label: (network: string) => string): string[] {
  const byNetwork = new Map<string, HostView[]>();
  for (const h of hosts) if (h.network) byNetwork.set(h.network, [...(byNetwork.get(h.network) ?? []), h]);
  return [...byNetwork].sort(([a], [b]) => (a === PARKING_LOT ? -1 : b === PARKING_LOT ? 1 : a.localeCompare(b))).map(([network, members]) => {
    const head = `  net     ${label(network)} (VLAN ${members[0]!.vlanId})`;
    if (network === PARKING_LOT) return `${head}: ${members.length} host${members.length === 1 ? '' : 's'}`;
    return `${head}: ${members.map((h) => `${h.name} ${h.state}${h.applying ? ' (ports applying)' : ''}`).join(', ')}`;
  });
}


/** One line per notable change from `prev` to `next`. */
export function transitions(prev: LabSnapshot | undefined, next: LabSnapshot, networkLabel: (network: string) => string = (n) => n): string[] {
  const out: string[] = [];
  const before = new Map((prev?.hosts ?? []).map((h) => [h.name, h]));
  for (const h of next.hosts) {
    const old = before.get(h.name);
    if (old && old.state !== h.state) out.push(`host ${h.name}: ${old.state} → ${h.state}${h.error ? ` (${h.error})` : ''}`);
    if (old?.network && h.network && old.network !== h.network) {
      out.push(`host ${h.name}: ${networkLabel(old.network)} → ${networkLabel(h.network)} (VLAN ${h.vlanId})${h.applying ? ', switches applying' : ''}`);
    }
    if (old?.network && old.applying && !h.applying && h.network) out.push(`host ${h.name}: switch ports active in ${networkLabel(h.network)}`);
  }
  const claimsBefore = new Map((prev?.claims ?? []).map((c) => [c.name, c]));
  for (const c of next.claims) {
    const old = claimsBefore.get(c.name);
    claimsBefore.delete(c.name);
    if (!old) out.push(`claim ${c.name} (${c.tenant}, ${c.type}) created`);
    else {
      if (old.type !== c.type) out.push(`claim ${c.name} scheduled on type ${c.type}`);
      if (!old.provisionedAt && c.provisionedAt) out.push(`claim ${c.name} provisioned`);
      if (old.phase !== c.phase) out.push(`claim ${c.name}: ${old.phase} → ${c.phase}`);
      if (!old.deleting && c.deleting) out.push(`claim ${c.name} releasing`);
    }
  }
  if (prev) for (const gone of claimsBefore.keys()) out.push(`claim ${gone} gone`);
  for (const [tenant, names] of Object.entries(next.nodes)) {
    const had = new Set(prev?.nodes[tenant] ?? []);
    for (const n of names) if (!had.has(n)) out.push(`node ${n} joined ${tenant}`);
    const now = new Set(names);
    for (const n of had) if (!now.has(n)) out.push(`node ${n} left ${tenant}`);
  }
  return out;
}
