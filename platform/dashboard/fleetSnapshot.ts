/**
 * Builds the dashboard's FleetSnapshot from what the host already holds in memory: the NodeType
 * controller's informers (NodeClaims, NodeTypes), each provider's listMachines() (its own cache)
 * and the events this host recorded. Pure: same inputs, same snapshot. Free text that could carry a
 * token is scrubbed; nothing is read from Secrets.
 */
import type { MachineView } from '../../plugin/contract.js';
import type { NodeClaim } from '../nodeClaims/types.js';
import type { NodeTypeObject } from '../nodeTypes/nodeTypeObject.js';
import type { RecordedEvent } from '../observability/events.js';
import { scrubSecrets } from '../observability/redaction.js';
import { compareHosts, compareTenants } from './fleetDelta.js';
import type { ClaimRow, EventRow, FleetRow, FleetSnapshot, HostRow, TenantRow } from './fleetTypes.js';

export interface FleetInputs {
  providers: string[];
  machines: { provider: string; machines: MachineView[] }[];
  nodeClaims: NodeClaim[];
  nodeTypes: NodeTypeObject[];
  events: RecordedEvent[];
  now: Date;
}

/** The site of a NodeType without one: the platform's default zone (vcluster-vmetal.md §2.2). */
export const DEFAULT_SITE = 'global';
const ZONE_PROPERTY = 'topology.kubernetes.io/zone';
/** The order a claim walks its conditions in; its step is the first that is not True yet. */
const STEPS = ['Scheduled', 'Launched', 'Provisioned', 'Joined'] as const;
const EVENTS_SHOWN = 50;

export function buildFleetSnapshot(inputs: FleetInputs): FleetSnapshot {
  const typesByName = new Map(inputs.nodeTypes.map((t) => [t.metadata.name, t]));
  const claimsByUid = new Map(inputs.nodeClaims.filter((c) => c.metadata.uid).map((c) => [c.metadata.uid!, c]));
  const hosts = inputs.machines
    .flatMap(({ provider, machines }) => machines.map((m) => hostRow(provider, m, typesByName, claimsByUid)))
    .sort(compareHosts);
  const hostOfClaim = new Map(hosts.filter((h) => h.claim).map((h) => [`${h.claim!.namespace}/${h.claim!.name}`, h.name]));
  return {
    generatedAt: inputs.now.toISOString(),
    providers: [...inputs.providers].sort(),
    fleet: fleetRows(hosts, inputs.nodeTypes),
    hosts,
    tenants: tenantRows(inputs.nodeClaims, hostOfClaim),
    events: inputs.events.slice(0, EVENTS_SHOWN).map(eventRow),
  };
}

function siteOfType(type: NodeTypeObject | undefined): string {
  const spec = type?.spec as (NodeTypeObject['spec'] & { zone?: string }) | undefined;
  return spec?.zone || spec?.properties?.[ZONE_PROPERTY] || DEFAULT_SITE;
}

function claimPhase(claim: NodeClaim): string {
  return claim.metadata.deletionTimestamp ? 'Deleting' : claim.status?.phase ?? 'Pending';
}

function hostRow(provider: string, m: MachineView, types: Map<string, NodeTypeObject>, claims: Map<string, NodeClaim>): HostRow {
  const nodeType = m.nodeType ? `${provider}.${m.nodeType}` : undefined;
  const claim = m.claimUid ? claims.get(m.claimUid) : undefined;
  return {
    provider,
    name: m.name,
    ...(m.namespace ? { namespace: m.namespace } : {}),
    site: m.zone || siteOfType(nodeType ? types.get(nodeType) : undefined),
    ...(nodeType ? { nodeType } : {}),
    state: m.state,
    poweredOn: m.poweredOn,
    ...(claim ? {
      claim: { name: claim.metadata.name!, namespace: claim.metadata.namespace!, phase: claimPhase(claim) },
      tenant: tenantKey(claim),
    } : {}),
    ...(m.network ? { network: m.network } : {}),
    ...(m.network && m.vlanId !== undefined ? { vlanId: m.vlanId } : {}),
    ...(m.error ? { error: { type: m.error.type, message: scrubSecrets(m.error.message) } } : {}),
  };
}

function fleetRows(hosts: HostRow[], nodeTypes: NodeTypeObject[]): FleetRow[] {
  const rows = new Map<string, FleetRow>();
  const rowFor = (site: string, nodeType: string) => {
    const key = `${site}\u0000${nodeType}`;
    let row = rows.get(key);
    if (!row) {
      row = { site, nodeType, total: 0, claimed: 0, free: 0, byState: {} };
      rows.set(key, row);
    }
    return row;
  };
  for (const h of hosts) {
    const row = rowFor(h.site, h.nodeType ?? '(no node type)');
    row.total++;
    if (h.claim) row.claimed++;
    else if (h.state === 'available' && !h.error) row.free++;
    row.byState[h.state || '(unknown)'] = (row.byState[h.state || '(unknown)'] ?? 0) + 1;
  }
  for (const t of nodeTypes) {
    const site = siteOfType(t);
    const known = [...rows.values()].some((r) => r.nodeType === t.metadata.name);
    // A provider that lists no machines still shows its NodeTypes' published capacity.
    if (!known) {
      const capacity = t.status?.capacity ?? { total: 0, claimed: 0 };
      Object.assign(rowFor(site, t.metadata.name), { total: capacity.total, claimed: capacity.claimed, free: capacity.total - capacity.claimed });
    }
    for (const row of rows.values()) if (row.nodeType === t.metadata.name && t.spec.displayName) row.displayName = t.spec.displayName;
  }
  return [...rows.values()].sort((a, b) => a.site.localeCompare(b.site) || a.nodeType.localeCompare(b.nodeType));
}

function tenantKey(claim: NodeClaim): string {
  return `${claim.metadata.namespace}/${claim.spec?.vClusterRef || '(none)'}`;
}

function tenantRows(claims: NodeClaim[], hostOfClaim: Map<string, string>): TenantRow[] {
  const tenants = new Map<string, TenantRow>();
  for (const claim of claims) {
    const key = tenantKey(claim);
    let tenant = tenants.get(key);
    if (!tenant) {
      tenant = { key, namespace: claim.metadata.namespace!, name: claim.spec?.vClusterRef || '(none)', claims: [] };
      tenants.set(key, tenant);
    }
    tenant.claims.push(claimRow(claim, hostOfClaim.get(`${claim.metadata.namespace}/${claim.metadata.name}`)));
  }
  for (const t of tenants.values()) t.claims.sort((a, b) => a.name.localeCompare(b.name));
  return [...tenants.values()].sort(compareTenants);
}

function claimRow(claim: NodeClaim, host: string | undefined): ClaimRow {
  const conditions = (claim.status?.conditions ?? []).map((c) => ({
    type: c.type, status: c.status, reason: c.reason, message: scrubSecrets(c.message ?? ''), lastTransitionTime: c.lastTransitionTime,
  }));
  const typeRef = claim.spec?.typeRef;
  return {
    name: claim.metadata.name!,
    namespace: claim.metadata.namespace!,
    ...(typeRef ? { nodeType: typeRef } : {}),
    phase: claimPhase(claim),
    ...(claim.status?.reason ? { reason: claim.status.reason } : {}),
    ...(claim.status?.message ? { message: scrubSecrets(claim.status.message) } : {}),
    ...(host ? { host } : {}),
    ...(claim.metadata.creationTimestamp ? { createdAt: new Date(claim.metadata.creationTimestamp).toISOString() } : {}),
    step: currentStep(claim),
    conditions,
  };
}

/** The first step not yet True (Deleting while deleted), since the previous step turned True (or creation). */
export function currentStep(claim: NodeClaim): { name: string; since?: string } {
  const iso = (t: string | Date | undefined) => (t ? new Date(t).toISOString() : undefined);
  if (claim.metadata.deletionTimestamp) return { name: 'Deleting', since: iso(claim.metadata.deletionTimestamp) };
  let since = iso(claim.metadata.creationTimestamp);
  for (const step of STEPS) {
    const c = claim.status?.conditions?.find((x) => x.type === step);
    if (c?.status !== 'True') return { name: step, since };
    since = iso(c.lastTransitionTime) ?? since;
  }
  return { name: 'Joined', since };
}

function eventRow(e: RecordedEvent): EventRow {
  const where = e.object.namespace ? `${e.object.namespace}/${e.object.name}` : e.object.name;
  return { at: e.at, type: e.type, reason: e.reason, object: `${e.object.kind} ${where}`, message: e.message, count: e.count };
}
