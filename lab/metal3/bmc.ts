/** BMC address parsing: only the scheme matters to the simulator (no BMC is contacted). */

/** Schemes baremetal-operator's bmc package accepts (drivers ipmi, redfish, idrac, ilo, irmc, ibmc…). */
const KNOWN_SCHEMES = new Set([
  'ipmi', 'libvirt',
  'redfish', 'redfish+http', 'redfish+https', 'redfish-virtualmedia', 'redfish-virtualmedia+http',
  'redfish-virtualmedia+https', 'redfish-uefihttp', 'redfish-uefihttp+http', 'redfish-uefihttp+https',
  'idrac', 'idrac+http', 'idrac+https', 'idrac-redfish', 'idrac-redfish+http', 'idrac-redfish+https',
  'idrac-virtualmedia', 'idrac-virtualmedia+http', 'idrac-virtualmedia+https',
  'ilo4', 'ilo4-virtualmedia', 'ilo5', 'ilo5-redfish', 'ilo5-virtualmedia',
  'irmc', 'irmc-virtualmedia', 'ibmc', 'ibmc+http', 'ibmc+https',
]);

export interface BmcAddress { scheme: string; host: string }

/** Parses `address`; returns an error message in BMO's wording when the type is unknown or the URL is malformed. */
export function parseBmcAddress(address: string): BmcAddress | { error: string } {
  const match = /^([a-z0-9+-]+):\/\/([^/:?#]*|\[[^\]]*\])/i.exec(address);
  if (!match) {
    // BMO treats a bare host[:port] as IPMI.
    if (/^[^/:]+(:\d+)?$/.test(address)) return { scheme: 'ipmi', host: address.split(':')[0]! };
    return { error: `failed to parse BMC address information: invalid BMC address "${address}"` };
  }
  const scheme = match[1]!.toLowerCase();
  if (!KNOWN_SCHEMES.has(scheme)) {
    return { error: `failed to parse BMC address information: Unknown BMC type '${scheme}' for ${address}` };
  }
  if (!match[2]) return { error: `failed to parse BMC address information: missing host in BMC address ${address}` };
  return { scheme, host: match[2] };
}
