/**
 * Wires the lab fleet into the Netris emulator: every server NIC that LLDP sees becomes a switch
 * port in the parking lot, and each tenant gets a server cluster (VLAN 100 + 100 × index, subnet
 * 10.<100 + index>.0.0/24) that the provider's `netris.vcluster.com/server-cluster` can name.
 */
import { hardwareFor, HARDWARE_PROFILE_ANNOTATION, profileNamed } from '../fleet/profiles.js';
import type { NetrisEmulator } from './emulator.js';
import { FabricModelError } from './model.js';

/** The parts of a BareMetalHost (manifest or inspected object) this reads. */
export interface FleetHost {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { bootMACAddress?: string };
  status?: { hardware?: { nics?: LldpNic[] } };
}

interface LldpNic {
  name?: string;
  mac?: string;
  lldp?: { switchID?: string; portID?: string };
}

export interface FleetPort {
  host: string;
  nic: string;
  mac: string;
  switchId: string;
  portId: string;
}

/** At most this many tenant networks: VLAN 100 + 100 × 39 = 4000 is the last below 4094. */
export const MAX_TENANT_NETWORKS = 40;

/**
 * Registers the switch port of every LLDP-visible NIC of `hosts` (from status.hardware when the host
 * was inspected, else from its hardware profile, exactly as the Metal3 simulator will report it).
 * Throws when two NICs claim one switch port: a shared port would let one tenant's attach move
 * another tenant's server.
 */
export function registerFleetPorts(emulator: NetrisEmulator, hosts: FleetHost[]): FleetPort[] {
  const owners = new Map<string, string>();
  for (const port of emulator.listPorts()) if (port.mac) owners.set(portKey(port), port.mac);
  const ports = hosts.flatMap(lldpPorts);
  const byMac = new Map(ports.map((p) => [p.mac, p]));
  for (const port of ports) {
    const owner = owners.get(portKey(port));
    if (owner !== undefined && owner !== port.mac) {
      const other = byMac.get(owner);
      const who = other ? `${other.host} ${other.nic}` : `MAC ${owner}`;
      throw new Error(`registerFleetPorts: switch port ${port.portId}@${port.switchId} is cabled to both ${who} and ${port.host} ${port.nic}`);
    }
    owners.set(portKey(port), port.mac);
  }
  emulator.addSwitchPorts(ports.map(({ switchId, portId, mac }) => ({ switchId, portId, mac })));
  return ports;
}

export interface TenantServerCluster {
  name: string;
  tenant: string;
  vlanId: number;
  subnet: string;
  gateway: string;
  dns: string[];
}

/**
 * Creates (or finds) the server cluster of `tenant`, named after it. `tenant` must be what the
 * provider calls the tenant: `<project namespace>/<vCluster>` (e.g. `p-default/team-a`). `index`
 * (0..39) picks the VLAN and subnet; distinct indexes never collide.
 */
export function ensureTenantServerCluster(emulator: NetrisEmulator, tenant: string, index: number): TenantServerCluster {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_TENANT_NETWORKS) {
    throw new Error(`ensureTenantServerCluster: index ${index} must be an integer in 0..${MAX_TENANT_NETWORKS - 1}`);
  }
  const name = serverClusterName(tenant);
  const octet = 100 + index;
  const cluster = {
    name, tenant, vlanId: 100 + 100 * index, subnet: `10.${octet}.0.0/24`, gateway: `10.${octet}.0.1`, dns: [`10.${octet}.0.1`],
  };
  try {
    emulator.addServerCluster(name, cluster.vlanId, cluster.subnet, cluster.gateway, { tenant, dns: cluster.dns });
  } catch (err) {
    const exists = err instanceof FabricModelError && err.message === `server cluster ${name} already exists`;
    if (!exists) throw err;
  }
  return cluster;
}

/** A DNS label from a tenant name: `p-default/team-a` → `p-default-team-a`. */
export function serverClusterName(tenant: string): string {
  const name = tenant.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  if (!name) throw new Error(`serverClusterName: tenant ${JSON.stringify(tenant)} has no usable characters`);
  return name;
}

function lldpPorts(host: FleetHost): FleetPort[] {
  const name = host.metadata?.name ?? '';
  const inspected = host.status?.hardware?.nics;
  const nics: LldpNic[] = inspected?.length
    ? inspected
    : hardwareFor(profileNamed(host.metadata?.annotations?.[HARDWARE_PROFILE_ANNOTATION]), name, {
      rack: host.metadata?.labels?.rack,
      bootMACAddress: host.spec?.bootMACAddress,
    }).nics;
  return nics.flatMap((nic) => {
    const { switchID, portID } = nic.lldp ?? {};
    if (!switchID || !portID || !nic.mac) return [];
    return [{ host: name, nic: nic.name ?? nic.mac, mac: nic.mac.toLowerCase(), switchId: switchID, portId: portID }];
  });
}

function portKey(port: { switchId: string; portId: string }): string {
  return `${port.switchId}\u0000${port.portId}`;
}
