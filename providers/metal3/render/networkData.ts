import { parse as parseYaml } from 'yaml';
import { InvalidConfigurationError } from '../../../plugin/contract.js';
import { formatIpv4, parseIpv4 } from '../ipam/pool.js';
import { PROPERTY, propertyField } from '../properties.js';
import type { NetworkDataInput } from './types.js';

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const DEFAULT_MTU = 1500;

/** What the network-data templates see; every field is present (templates run in strict mode). */
export interface NetworkView {
  hostname: string;
  links: { id: string; mac: string; mtu: number; boot: boolean; named: boolean }[];
  bootLink: string;
  ip: { address: string; cidr: string; netmask: string; gateway: string } | null;
  dns: string[];
}

/** Validates the input and shapes it for the templates. The boot link is the NIC with bootMac, else the first. */
export function networkView(input: NetworkDataInput): NetworkView {
  const object = input.hostRef ?? `host ${input.hostname}`;
  const bootMac = input.bootMac === undefined ? undefined : normalMac(input.bootMac, object, 'spec.bootMACAddress');
  const nics = (input.nics ?? []).map((nic, i) => ({
    id: nic.name,
    mac: normalMac(nic.mac, object, `status.hardware.nics[${i}].mac`),
    mtu: nic.mtu ?? DEFAULT_MTU,
    named: true,
  }));
  if (nics.length === 0 && bootMac) nics.push({ id: 'boot0', mac: bootMac, mtu: DEFAULT_MTU, named: false });
  if (nics.length === 0) {
    throw new InvalidConfigurationError(object, 'spec.bootMACAddress', 'no NIC known (no bootMACAddress and no inspected NICs): cannot write network data');
  }
  const seen = new Set<string>();
  for (const nic of nics) {
    if (!nic.id || seen.has(nic.id)) throw new InvalidConfigurationError(object, 'status.hardware.nics', `NIC name ${JSON.stringify(nic.id)} is empty or repeated`);
    seen.add(nic.id);
  }
  const boot = nics.find((n) => n.mac === bootMac) ?? nics[0];
  return {
    hostname: input.hostname,
    links: nics.map((n) => ({ ...n, boot: n === boot })),
    bootLink: boot.id,
    ip: input.ip ? ipView(input.ip, object) : null,
    dns: (input.ip?.dns ?? []).map((d) => checkIp(d, object, 'ip.dns')),
  };
}

function ipView(ip: NonNullable<NetworkDataInput['ip']>, object: string): NetworkView['ip'] {
  const address = checkIp(ip.address, object, 'ip.address');
  const gateway = checkIp(ip.gateway, object, 'ip.gateway');
  if (!Number.isInteger(ip.prefixLength) || ip.prefixLength < 1 || ip.prefixLength > 32) {
    throw new InvalidConfigurationError(object, 'ip.prefixLength', `${ip.prefixLength} is not between 1 and 32`);
  }
  const netmask = formatIpv4((0xffffffff << (32 - ip.prefixLength)) >>> 0);
  return { address, cidr: `${address}/${ip.prefixLength}`, netmask, gateway };
}

function checkIp(text: string, object: string, field: string): string {
  const n = parseIpv4(text);
  if (n === undefined) throw new InvalidConfigurationError(object, field, `${JSON.stringify(text)} is not an IPv4 address`);
  return formatIpv4(n);
}

function normalMac(text: string, object: string, field: string): string {
  const mac = text.trim().toLowerCase();
  if (!MAC.test(mac)) throw new InvalidConfigurationError(object, field, `${JSON.stringify(text)} is not a MAC address`);
  return mac;
}

/**
 * Structural check of OpenStack network_data.json as the generated template must produce it:
 * links with unique ids, networks on known links with valid addresses, dns services.
 * Returns a list of problems (empty when valid).
 */
export function networkDataJsonProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['not a JSON object'];
  const { links, networks, services } = doc as Record<string, unknown>;
  if (!Array.isArray(links) || links.length === 0) problems.push('links must be a non-empty list');
  const linkIds = new Set<string>();
  for (const [i, link] of (Array.isArray(links) ? links : []).entries()) {
    const l = link as Record<string, unknown>;
    if (typeof l.id !== 'string' || linkIds.has(l.id)) problems.push(`links[${i}].id missing or repeated`);
    else linkIds.add(l.id);
    if (l.type !== 'phy') problems.push(`links[${i}].type must be "phy"`);
    if (typeof l.ethernet_mac_address !== 'string' || !MAC.test(l.ethernet_mac_address)) problems.push(`links[${i}].ethernet_mac_address invalid`);
    if (!Number.isInteger(l.mtu)) problems.push(`links[${i}].mtu must be an integer`);
  }
  if (!Array.isArray(networks) || networks.length === 0) problems.push('networks must be a non-empty list');
  for (const [i, network] of (Array.isArray(networks) ? networks : []).entries()) {
    const n = network as Record<string, unknown>;
    if (typeof n.link !== 'string' || !linkIds.has(n.link)) problems.push(`networks[${i}].link does not name a link`);
    if (n.type === 'ipv4') {
      for (const key of ['ip_address', 'netmask'] as const) {
        if (typeof n[key] !== 'string' || parseIpv4(n[key] as string) === undefined) problems.push(`networks[${i}].${key} invalid`);
      }
      const routes = n.routes as Record<string, unknown>[] | undefined;
      if (!Array.isArray(routes) || routes.some((r) => parseIpv4(String(r.gateway)) === undefined)) problems.push(`networks[${i}].routes invalid`);
    } else if (n.type !== 'ipv4_dhcp') {
      problems.push(`networks[${i}].type must be "ipv4" or "ipv4_dhcp"`);
    }
  }
  if (!Array.isArray(services)) problems.push('services must be a list');
  for (const [i, service] of (Array.isArray(services) ? services : []).entries()) {
    const s = service as Record<string, unknown>;
    if (s.type !== 'dns' || parseIpv4(String(s.address)) === undefined) problems.push(`services[${i}] must be {type: dns, address: <IPv4>}`);
  }
  return problems;
}

/**
 * Checks a custom `metal3.vcluster.com/network-data` value: OpenStack network_data.json (a JSON
 * object with `links`/`networks`) or netplan v2 YAML (`version: 2`, optionally under `network:`).
 */
export function validateCustomNetworkData(text: string, origin: string | undefined): void {
  const object = origin ?? 'merged properties';
  const field = propertyField(PROPERTY.networkData);
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      // V8's message quotes part of the input; like user data errors, report the position only.
      throw new InvalidConfigurationError(object, field, `is not valid JSON (${jsonErrorPosition(text)})`);
    }
    const d = doc as Record<string, unknown>;
    if (!Array.isArray(d.links) && !Array.isArray(d.networks)) {
      throw new InvalidConfigurationError(object, field, 'JSON network data must be OpenStack network_data.json with "links" and "networks" lists');
    }
    return;
  }
  let doc: unknown;
  try {
    doc = parseYaml(trimmed);
  } catch {
    throw new InvalidConfigurationError(object, field, 'is neither valid JSON nor valid YAML');
  }
  const root = (doc as { network?: unknown } | null)?.network ?? doc;
  if (typeof root !== 'object' || root === null || (root as { version?: unknown }).version !== 2) {
    throw new InvalidConfigurationError(object, field, 'must be OpenStack network_data.json or netplan v2 YAML (version: 2)');
  }
}

/** `line L, column C` (1-based) of the first JSON syntax error in `text`, found by a minimal scan. */
export function jsonErrorPosition(text: string): string {
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return 'unknown position';
  if (offset >= text.length) return 'unexpected end of input';
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

class JsonSyntaxError {
  constructor(readonly offset: number) {}
}

/** Offset of the first syntax error (undefined when there is none, or the input nests too deep to scan). */
function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new JsonSyntaxError(i);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const eat = (ch: string) => {
    if (text[i] !== ch) fail();
    i++;
  };
  const string = () => {
    eat('"');
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 4;
        else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    eat('"');
  };
  const list = (close: string, item: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (text[i] !== ',') return eat(close);
      i++;
    }
  };
  const value = (): void => {
    space();
    const ch = text[i];
    const member = () => {
      space();
      string();
      space();
      eat(':');
      value();
    };
    if (ch === '{') return list('}', member);
    if (ch === '[') return list(']', value);
    if (ch === '"') return string();
    const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
    if (word) return void (i += word.length);
    const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    number.lastIndex = i;
    const match = number.exec(text);
    if (!match) return fail();
    i += match[0].length;
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return undefined;
  } catch (err) {
    return err instanceof JsonSyntaxError ? err.offset : undefined;
  }
}
