/**
 * Reads a BareMetalHost's NICs and the switch ports LLDP saw them on
 * (`status.hardware.nics[].lldp {switchID, portID}`), the input of NetworkFabric.attach/detach.
 */
import type { BareMetalHost } from '../types.js';
import type { HostPorts } from './fabric.js';

/** The host's NICs; a NIC without LLDP data has no switchId/portId (the fabric cannot move it). */
export function hostPortsFromBareMetalHost(host: BareMetalHost): HostPorts {
  const hostName = host.metadata?.namespace
    ? `${host.metadata.namespace}/${host.metadata.name ?? ''}`
    : host.metadata?.name ?? '';
  const nics = (host.status?.hardware?.nics ?? []).map((nic, i) => ({
    name: nic.name ?? `nic-${i}`,
    mac: (nic.mac ?? '').toLowerCase(),
    switchId: nic.lldp?.switchID || undefined,
    portId: nic.lldp?.portID || undefined,
  }));
  return { hostName, nics };
}
