/**
 * What a server would configure from its network data: OpenStack `network_data.json` (Metal3's
 * format: links/networks/services) or netplan v2 YAML (vCluster's template examples). Pure.
 */
import { parse } from 'yaml';

export interface NetworkSettings {
  format: 'openstack' | 'netplan';
  /** Interface or link id the address goes on. */
  interface?: string;
  /** `IP/prefix` */
  address?: string;
  gateway?: string;
  dns: string[];
  /** Missing address or gateway etc.: the server boots, but says so on its console. */
  warnings: string[];
}

export class NetworkDataError extends Error {}

function netmaskToPrefix(netmask: string): number | undefined {
  const parts = netmask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  const bits = parts.map((p) => p.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : undefined;
}

type Obj = Record<string, unknown>;
const asList = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter((x): x is Obj => typeof x === 'object' && x !== null) : []);

function fromOpenStack(doc: Obj): NetworkSettings {
  const result: NetworkSettings = { format: 'openstack', dns: [], warnings: [] };
  const ipv4 = asList(doc.networks).find((n) => n.type === 'ipv4' || (typeof n.ip_address === 'string' && !String(n.ip_address).includes(':')));
  if (ipv4) {
    result.interface = typeof ipv4.link === 'string' ? ipv4.link : undefined;
    const ip = String(ipv4.ip_address ?? '');
    const prefix = ip.includes('/') ? undefined : netmaskToPrefix(String(ipv4.netmask ?? ''));
    if (ip.includes('/')) result.address = ip;
    else if (ip && prefix !== undefined) result.address = `${ip}/${prefix}`;
    else if (ip) result.warnings.push(`network ${String(ipv4.id ?? '?')}: netmask missing or invalid`);
    const route = asList(ipv4.routes).find((r) => r.network === '0.0.0.0' || r.network === 'default');
    if (typeof route?.gateway === 'string') result.gateway = route.gateway;
    result.dns.push(...(Array.isArray(ipv4.dns_nameservers) ? ipv4.dns_nameservers.map(String) : []));
  }
  for (const service of asList(doc.services)) {
    if (service.type === 'dns' && typeof service.address === 'string') result.dns.push(service.address);
  }
  return result;
}

function fromNetplan(doc: Obj): NetworkSettings {
  const result: NetworkSettings = { format: 'netplan', dns: [], warnings: [] };
  const ethernets = (doc.ethernets ?? {}) as Obj;
  const [name, config] = Object.entries(ethernets).find(([, c]) => typeof c === 'object' && c !== null) ?? [];
  if (name && config) {
    const iface = config as Obj;
    result.interface = name;
    const address = Array.isArray(iface.addresses) ? iface.addresses.map(String).find((a) => !a.includes(':')) : undefined;
    result.address = address;
    if (iface.dhcp4 === true && !address) result.warnings.push(`${name}: dhcp4 (no static address)`);
    const route = asList(iface.routes).find((r) => r.to === 'default' || r.to === '0.0.0.0/0');
    const gateway = typeof iface.gateway4 === 'string' ? iface.gateway4 : route?.via;
    if (typeof gateway === 'string') result.gateway = gateway;
    const nameservers = (iface.nameservers ?? {}) as Obj;
    if (Array.isArray(nameservers.addresses)) result.dns.push(...nameservers.addresses.map(String));
  }
  return result;
}

export function parseNetworkData(text: string): NetworkSettings {
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parse(text);
  } catch (err) {
    throw new NetworkDataError(`network data: neither network_data.json nor netplan YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new NetworkDataError('network data: must be an object');
  let obj = doc as Obj;
  if (typeof obj.network === 'object' && obj.network !== null) obj = obj.network as Obj;
  let settings: NetworkSettings;
  if ('links' in obj || 'networks' in obj || 'services' in obj) settings = fromOpenStack(obj);
  else if (Number(obj.version) === 2) settings = fromNetplan(obj);
  else throw new NetworkDataError('network data: expected OpenStack links/networks/services or netplan "version: 2"');
  if (!settings.address) settings.warnings.push('no static IPv4 address');
  if (!settings.gateway) settings.warnings.push('no default gateway');
  if (settings.dns.length === 0) settings.warnings.push('no DNS servers');
  return settings;
}
