/**
 * What changed between two FleetSnapshots, so an open page receives its rows once and then only
 * the rows that changed (a 10,000-host fleet is megabytes of JSON; one host moving is a few hundred
 * bytes). Hosts and tenants are keyed rows: `upsert` carries each new or changed row whole,
 * `remove` the keys that are gone; the small lists (providers, fleet summary, events) are sent whole
 * when they changed. Plain code shared by the server and the page.
 */
import type { EventRow, FleetRow, FleetSnapshot, HostRow, TenantRow } from './fleetTypes.js';

export interface RowsDelta<T> {
  upsert: T[];
  remove: string[];
}

export interface FleetDelta {
  generatedAt: string;
  providers?: string[];
  fleet?: FleetRow[];
  events?: EventRow[];
  hosts: RowsDelta<HostRow>;
  tenants: RowsDelta<TenantRow>;
}

export const hostKey = (h: HostRow): string => `${h.provider}/${h.namespace ?? ''}/${h.name}`;
const tenantKey = (t: TenantRow): string => t.key;

/** The order the page shows hosts in: by site, node type, name. */
export function compareHosts(a: HostRow, b: HostRow): number {
  return a.site.localeCompare(b.site) || (a.nodeType ?? '').localeCompare(b.nodeType ?? '') || a.name.localeCompare(b.name)
    || hostKey(a).localeCompare(hostKey(b));
}

export function compareTenants(a: TenantRow, b: TenantRow): number {
  return a.key.localeCompare(b.key);
}

/** The delta that turns `prev` into `next` (applyFleetDelta(prev, diffFleet(prev, next)) equals `next`). */
export function diffFleet(prev: FleetSnapshot, next: FleetSnapshot): FleetDelta {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    generatedAt: next.generatedAt,
    ...(same(prev.providers, next.providers) ? {} : { providers: next.providers }),
    ...(same(prev.fleet, next.fleet) ? {} : { fleet: next.fleet }),
    ...(same(prev.events, next.events) ? {} : { events: next.events }),
    hosts: diffRows(prev.hosts, next.hosts, hostKey),
    tenants: diffRows(prev.tenants, next.tenants, tenantKey),
  };
}

/** `prev` with `delta` applied; rows keep the snapshot's order. */
export function applyFleetDelta(prev: FleetSnapshot, delta: FleetDelta): FleetSnapshot {
  return {
    generatedAt: delta.generatedAt,
    providers: delta.providers ?? prev.providers,
    fleet: delta.fleet ?? prev.fleet,
    events: delta.events ?? prev.events,
    hosts: applyRows(prev.hosts, delta.hosts, hostKey, compareHosts),
    tenants: applyRows(prev.tenants, delta.tenants, tenantKey, compareTenants),
  };
}

/** True when the delta changes nothing but the time it was built. */
export function isEmptyDelta(delta: FleetDelta): boolean {
  return !delta.providers && !delta.fleet && !delta.events
    && delta.hosts.upsert.length + delta.hosts.remove.length + delta.tenants.upsert.length + delta.tenants.remove.length === 0;
}

function diffRows<T>(prev: T[], next: T[], key: (row: T) => string): RowsDelta<T> {
  const before = new Map(prev.map((row) => [key(row), JSON.stringify(row)]));
  const upsert = next.filter((row) => before.get(key(row)) !== JSON.stringify(row));
  const present = new Set(next.map(key));
  return { upsert, remove: [...before.keys()].filter((k) => !present.has(k)) };
}

function applyRows<T>(prev: T[], delta: RowsDelta<T>, key: (row: T) => string, order: (a: T, b: T) => number): T[] {
  if (delta.upsert.length === 0 && delta.remove.length === 0) return prev;
  const rows = new Map(prev.map((row) => [key(row), row]));
  for (const k of delta.remove) rows.delete(k);
  for (const row of delta.upsert) rows.set(key(row), row);
  return [...rows.values()].sort(order);
}
