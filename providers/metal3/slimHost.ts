/**
 * What the host cache keeps of a BareMetalHost: everything in metadata (minus managedFields) and
 * spec, because claim writes are PUTs of the cached object and a PUT replaces metadata and spec;
 * of status only what the provider reads (state, errors, power, CPU count, RAM, NIC name/MAC/LLDP).
 * Dropping status.hardware storage/firmware/system data and managedFields is safe for those PUTs:
 * the main endpoint keeps the stored status (status subresource) and keeps managedFields when the
 * request omits them. Mutates in place, so the informer's own store (same objects) shrinks too.
 */
import type { BareMetalHost, BareMetalHostNic, BareMetalHostStatus } from './types.js';

export function slimHost(host: BareMetalHost): BareMetalHost {
  delete host.metadata.managedFields;
  const status = host.status;
  if (!status) return host;
  const slim: BareMetalHostStatus = {};
  for (const key of STATUS_FIELDS) if (status[key] !== undefined) (slim as Record<string, unknown>)[key] = status[key];
  if (status.provisioning) slim.provisioning = { state: status.provisioning.state, ID: status.provisioning.ID };
  const hardware = status.hardware;
  if (hardware) {
    slim.hardware = {
      cpu: hardware.cpu ? { count: hardware.cpu.count, arch: hardware.cpu.arch } : undefined,
      ramMebibytes: hardware.ramMebibytes,
      nics: hardware.nics?.map(slimNic),
    };
  }
  host.status = slim;
  return host;
}

const STATUS_FIELDS = ['operationalStatus', 'errorType', 'errorMessage', 'errorCount', 'poweredOn'] as const;

function slimNic(nic: BareMetalHostNic): BareMetalHostNic {
  const { name, mac, ip, pxe } = nic;
  const lldp = (nic as { lldp?: { switchID?: string; portID?: string } }).lldp;
  return { name, mac, ip, pxe, ...(lldp ? { lldp: { switchID: lldp.switchID, portID: lldp.portID } } : {}) } as BareMetalHostNic;
}
