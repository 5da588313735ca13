import { InvalidConfigurationError } from '../../../plugin/contract.js';
import { stableHash } from '../hosts/chooseHost.js';
import { PROPERTY, propertyField, propertyOrigin } from '../properties.js';

export interface IpPool {
  /** Stable id of the network (not of the ranges), e.g. `10.0.0.0-24`: reservations are keyed by it. */
  key: string;
  network: string;
  prefixLength: number;
  gateway: string;
  dns: string[];
  ntp: string[];
  /** Number of allocatable addresses. */
  size: number;
  /** From network-ip-range; absent means the whole subnet. Inclusive. */
  ranges?: { first: string; last: string }[];
}

interface Segment { first: number; last: number }

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** Parses dotted IPv4 to an unsigned 32-bit number, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o, i) => o > 255 || (m[i + 1].length > 1 && m[i + 1].startsWith('0')))) return undefined;
  return ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/**
 * The IPAM pool from the merged properties, or undefined when neither network-cidr nor
 * network-ip-range is set. `network-cidr` is `<gateway>/<prefix>`; addresses come from the
 * subnet (or from network-ip-range inside it) minus network, broadcast and gateway.
 */
export function parseIpPool(props: Record<string, string>, origin: Record<string, string>): IpPool | undefined {
  const cidrText = props[PROPERTY.networkCidr]?.trim();
  const rangeText = props[PROPERTY.networkIpRange]?.trim();
  if (!cidrText && !rangeText) return undefined;
  const fail = (key: string, problem: string): never => {
    throw new InvalidConfigurationError(propertyOrigin(origin, key), propertyField(key), problem);
  };
  if (!cidrText) {
    return fail(PROPERTY.networkIpRange, `needs ${PROPERTY.networkCidr} too (its host part is the gateway, its prefix the netmask)`);
  }
  const { gateway, prefixLength } = parseCidr(cidrText, (p) => fail(PROPERTY.networkCidr, p));
  const mask = prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
  const network = (gateway & mask) >>> 0;
  const broadcast = (network | (~mask >>> 0)) >>> 0;
  if (gateway === network || gateway === broadcast) {
    fail(PROPERTY.networkCidr, `the host part is the gateway: ${formatIpv4(gateway)} is the ${gateway === network ? 'network' : 'broadcast'} address (write e.g. ${formatIpv4(network + 1)}/${prefixLength})`);
  }
  const ranges = rangeText
    ? parseRanges(rangeText, network, broadcast, prefixLength, (p) => fail(PROPERTY.networkIpRange, p))
    : undefined;
  const segments = allocatableSegments(ranges ?? [{ first: network, last: broadcast }], network, broadcast, gateway);
  const size = segments.reduce((sum, s) => sum + s.last - s.first + 1, 0);
  if (size === 0) fail(rangeText ? PROPERTY.networkIpRange : PROPERTY.networkCidr, 'leaves no allocatable address (network, broadcast and gateway are excluded)');
  return {
    key: `${formatIpv4(network)}-${prefixLength}`,
    network: formatIpv4(network),
    prefixLength,
    gateway: formatIpv4(gateway),
    dns: parseList(props[PROPERTY.dnsServers], (item) => parseIpv4(item) !== undefined, (p) => fail(PROPERTY.dnsServers, p), 'an IPv4 address'),
    ntp: parseList(props[PROPERTY.ntpServers], (item) => HOSTNAME.test(item), (p) => fail(PROPERTY.ntpServers, p), 'an IPv4 address or host name'),
    size,
    ...(ranges ? { ranges: ranges.map((r) => ({ first: formatIpv4(r.first), last: formatIpv4(r.last) })) } : {}),
  };
}

function parseCidr(text: string, fail: (problem: string) => never): { gateway: number; prefixLength: number } {
  if (text.includes(':')) fail(`${JSON.stringify(text)} is IPv6; only IPv4 is supported`);
  const [ip, prefix, ...rest] = text.split('/');
  const gateway = parseIpv4(ip ?? '');
  if (gateway === undefined || prefix === undefined || rest.length > 0 || !/^\d{1,2}$/.test(prefix)) {
    return fail(`${JSON.stringify(text)} is not <gateway IPv4>/<prefix length>, e.g. 10.0.0.1/24`);
  }
  const prefixLength = Number(prefix);
  if (prefixLength < 1 || prefixLength > 30) fail(`prefix length ${prefixLength} must be between 1 and 30`);
  return { gateway, prefixLength };
}

function parseRanges(text: string, network: number, broadcast: number, prefixLength: number, fail: (p: string) => never): Segment[] {
  const ranges: Segment[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (part.includes(':')) fail(`${JSON.stringify(part)} is IPv6; only IPv4 is supported`);
    const [a, b, ...rest] = part.split('-').map((s) => s.trim());
    const first = parseIpv4(a ?? '');
    const last = b === undefined ? first : parseIpv4(b);
    if (first === undefined || last === undefined || rest.length > 0) fail(`${JSON.stringify(part)} is not <IPv4>-<IPv4>`);
    if (first! > last!) fail(`${JSON.stringify(part)} ends before it starts`);
    if (first! < network || last! > broadcast) {
      fail(`${JSON.stringify(part)} is not inside ${formatIpv4(network)}/${prefixLength} (${PROPERTY.networkCidr})`);
    }
    const overlapping = ranges.find((r) => first! <= r.last && r.first <= last!);
    if (overlapping) fail(`${JSON.stringify(part)} overlaps ${formatIpv4(overlapping.first)}-${formatIpv4(overlapping.last)}`);
    ranges.push({ first: first!, last: last! });
  }
  if (ranges.length === 0) fail('is empty; expected <IPv4>-<IPv4>[,<IPv4>-<IPv4>...]');
  return ranges;
}

function parseList(text: string | undefined, valid: (item: string) => boolean, fail: (p: string) => never, what: string): string[] {
  const items = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (item.includes(':')) fail(`${JSON.stringify(item)} is IPv6; only IPv4 is supported`);
    if (!valid(item)) fail(`${JSON.stringify(item)} is not ${what}`);
  }
  return items;
}

/** The given ranges clipped to the host part of the subnet, with the gateway cut out. */
function allocatableSegments(ranges: Segment[], network: number, broadcast: number, gateway: number): Segment[] {
  const segments: Segment[] = [];
  for (const r of ranges) {
    const first = Math.max(r.first, network + 1);
    const last = Math.min(r.last, broadcast - 1);
    if (first > last) continue;
    if (gateway < first || gateway > last) {
      segments.push({ first, last });
      continue;
    }
    if (first < gateway) segments.push({ first, last: gateway - 1 });
    if (gateway < last) segments.push({ first: gateway + 1, last });
  }
  return segments;
}

/**
 * Every allocatable address of `pool` once, lazily, starting at an offset derived from `seed`
 * so concurrent claims start probing at different places, and wrapping around once.
 */
export function* candidateAddresses(pool: IpPool, seed: string): Generator<string> {
  const network = parseIpv4(pool.network)!;
  const broadcast = (network | (~(((0xffffffff << (32 - pool.prefixLength)) >>> 0)) >>> 0)) >>> 0;
  const gateway = parseIpv4(pool.gateway)!;
  const ranges = pool.ranges?.map((r) => ({ first: parseIpv4(r.first)!, last: parseIpv4(r.last)! })) ?? [{ first: network, last: broadcast }];
  const segments = allocatableSegments(ranges, network, broadcast, gateway);
  const size = segments.reduce((sum, s) => sum + s.last - s.first + 1, 0);
  if (size === 0) return;
  const start = stableHash(seed) % size;
  for (let i = 0; i < size; i++) yield formatIpv4(addressAt(segments, (start + i) % size));
}

function addressAt(segments: Segment[], index: number): number {
  let rest = index;
  for (const s of segments) {
    const length = s.last - s.first + 1;
    if (rest < length) return s.first + rest;
    rest -= length;
  }
  throw new Error(`index ${index} outside the pool`);
}
