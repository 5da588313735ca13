/** IPv4 CIDR arithmetic the Netris emulator needs to keep tenant subnets apart. */

export interface Ipv4Range {
  /** First address of the network, as an unsigned 32-bit number. */
  first: number;
  /** Last address of the network. */
  last: number;
  prefix: number;
}

/** Parses `a.b.c.d` into an unsigned 32-bit number; undefined when it is not a dotted quad. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Parses `a.b.c.d/n` into the network it covers (host bits ignored); undefined when malformed. */
export function parseCidr(text: string): Ipv4Range | undefined {
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const ip = parseIpv4(address ?? '');
  if (ip === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(ip / size) * size;
  return { first, last: first + size - 1, prefix };
}

export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function contains(range: Ipv4Range, ip: number): boolean {
  return ip >= range.first && ip <= range.last;
}
