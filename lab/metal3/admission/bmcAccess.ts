/**
 * BMO's `bmc` package as the webhook and the controller use it: a BMC address is parsed (a bare host or
 * host:port means IPMI), its scheme picks a driver, and the driver says what it supports. The table is
 * the drivers registered at the BMO commit in ../shared/upstream/metal3 (README there).
 */

/** What a driver can do: the `AccessDetails` methods the webhook asks. */
export interface BmcDriver {
  /** `Type()`: the scheme as written (lower-cased), e.g. `redfish+http`. */
  type: string;
  needsMac: boolean;
  supportsRaid: boolean;
  supportsSecureBoot: boolean;
  /** `InspectInterface() != ""`: out-of-band (fast) inspection. */
  supportsFastInspection: boolean;
}

type Capabilities = Omit<BmcDriver, 'type'>;

const IPMI: Capabilities = { needsMac: false, supportsRaid: false, supportsSecureBoot: false, supportsFastInspection: false };
const REDFISH: Capabilities = { needsMac: false, supportsRaid: true, supportsSecureBoot: true, supportsFastInspection: true };
const VIRTUAL_MEDIA: Capabilities = { needsMac: false, supportsRaid: true, supportsSecureBoot: true, supportsFastInspection: false };

/** Driver name -> capabilities; Redfish-based drivers also register `<name>+http` and `<name>+https`. */
const DRIVERS: Record<string, { caps: Capabilities; httpVariants: boolean }> = {
  ipmi: { caps: IPMI, httpVariants: false },
  libvirt: { caps: { ...IPMI, needsMac: true }, httpVariants: false },
  redfish: { caps: REDFISH, httpVariants: true },
  'ilo5-redfish': { caps: REDFISH, httpVariants: true },
  'idrac-redfish': { caps: REDFISH, httpVariants: true },
  'redfish-uefihttp': { caps: REDFISH, httpVariants: true },
  'redfish-virtualmedia': { caps: VIRTUAL_MEDIA, httpVariants: true },
  'ilo5-virtualmedia': { caps: VIRTUAL_MEDIA, httpVariants: true },
  'idrac-virtualmedia': { caps: { ...VIRTUAL_MEDIA, supportsFastInspection: true }, httpVariants: true },
};

function capabilitiesOf(scheme: string): Capabilities | undefined {
  const [name, transport, ...rest] = scheme.split('+');
  const driver = DRIVERS[name!];
  if (!driver || rest.length > 0) return undefined;
  if (transport === undefined) return driver.caps;
  return driver.httpVariants && (transport === 'http' || transport === 'https') ? driver.caps : undefined;
}

const DNS_NAME = /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]{0,61}[A-Za-z0-9])$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIp(host: string): boolean {
  return IPV4.test(host) || (host.includes(':') && /^[0-9a-fA-F:.]+(%.+)?$/.test(host));
}

const PARSE_FAILED = 'failed to parse BMC address information';

interface ParsedUrl { scheme: string; hostname: string; opaque: boolean }

/** Go's `url.Parse` for what BMC addresses look like: `scheme://[user@]host[:port]/path`, `scheme:opaque` or a bare host. */
function parseUrl(address: string): ParsedUrl | { error: string } {
  const bad = (why: string) => ({ error: `parse ${JSON.stringify(address)}: ${why}` });
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(address);
  if (!schemeMatch) {
    if (address.split('/')[0]!.includes(':')) return bad('first path segment in URL cannot contain colon');
    return { scheme: '', hostname: '', opaque: false };
  }
  const scheme = schemeMatch[1]!.toLowerCase();
  const rest = schemeMatch[2]!;
  if (!rest.startsWith('//')) return { scheme, hostname: '', opaque: !rest.startsWith('/') };
  const authority = rest.slice(2).split(/[/?#]/)[0]!;
  const hostport = authority.slice(authority.lastIndexOf('@') + 1);
  let hostname = hostport;
  let port = '';
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return bad("missing ']' in host");
    hostname = hostport.slice(1, end);
    port = hostport.slice(end + 1);
  } else if (hostport.includes(':')) {
    hostname = hostport.slice(0, hostport.lastIndexOf(':'));
    port = hostport.slice(hostport.lastIndexOf(':'));
  }
  if (port && !/^:\d*$/.test(port)) return bad(`invalid port ${JSON.stringify(port)} after host`);
  return { scheme, hostname, opaque: false };
}

/** Go's `net.SplitHostPort` failure for `address`, if any. */
function splitHostPortError(address: string): string | undefined {
  const inner = address.startsWith('[') ? address.slice(address.indexOf(']') + 1) : address;
  const colons = inner.split(':').length - 1;
  if (colons === 0) return `address ${address}: missing port in address`;
  if (colons > 1) return `address ${address}: too many colons in address`;
  return undefined;
}

/** `bmc.GetParsedURL`: the scheme and host name BMO reads from `spec.bmc.address`, or its error message. */
export function parseBmcAddress(address: string): { scheme: string; hostname: string } | { error: string } {
  let parsed = parseUrl(address);
  if ('error' in parsed) {
    if (address.includes(':') && splitHostPortError(address)) return { error: `${PARSE_FAILED}: ${parsed.error}` };
    parsed = { scheme: 'ipmi', hostname: address.replace(/:\d*$/, '').replace(/^\[(.*)\]$/, '$1'), opaque: false };
  } else if (parsed.opaque) {
    parsed = parseUrl(address.replace(':', '://'));
  } else if (parsed.scheme === '' && parsed.hostname === '') {
    parsed = parseUrl(`ipmi://${address}`);
  }
  if ('error' in parsed) return { error: `${PARSE_FAILED}: ${parsed.error}` };
  const { hostname } = parsed;
  if (hostname && !isIp(hostname) && !DNS_NAME.test(hostname)) {
    return { error: `${PARSE_FAILED}: BMC address hostname/IP : [${hostname}] is invalid` };
  }
  return { scheme: parsed.scheme, hostname };
}

/** `bmc.NewAccessDetails`: the driver for `address`, or BMO's error message. */
export function bmcDriverFor(address: string): BmcDriver | { error: string } {
  if (address === '') return { error: 'missing BMC address' };
  const parsed = parseBmcAddress(address);
  if ('error' in parsed) return parsed;
  const caps = capabilitiesOf(parsed.scheme);
  if (!caps) return { error: `Unknown BMC type '${parsed.scheme}' for address ${address}` };
  return { type: parsed.scheme, ...caps };
}
