/**
 * Deterministic per-host identities (UUID, MACs, serial numbers) derived from the host name, so the fleet
 * generator (bootMACAddress, BMC URL) and the Metal3 simulator (inspection) agree without sharing state.
 */
import { createHash } from 'node:crypto';

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

/** RFC 4122-shaped (version 4 bits set) UUID stable for `seed`. */
export function stableUuid(...seed: string[]): string {
  const b = Buffer.from(digest('uuid', ...seed).subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A locally administered unicast MAC (first octet 02) for NIC `index` of `host`. Forty hashed bits keep a
 * 10,000-host fleet free of collisions, which vendor OUIs with 24 bits would not.
 */
export function stableMac(host: string, index: number): string {
  const b = digest('mac', host, String(index));
  return ['02', ...[0, 1, 2, 3, 4].map((i) => b[i]!.toString(16).padStart(2, '0'))].join(':');
}

/** Upper-case alphanumeric serial of `length` characters with a vendor prefix. */
export function stableSerial(prefix: string, length: number, ...seed: string[]): string {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const b = digest('serial', prefix, ...seed);
  let out = prefix;
  for (let i = 0; out.length < length; i++) out += alphabet[b[i % b.length]! % alphabet.length];
  return out;
}

/** A small stable integer in [0, modulo) for `seed`, e.g. a switch port number. */
export function stableIndex(modulo: number, ...seed: string[]): number {
  return digest('index', ...seed).readUInt32BE(0) % modulo;
}
