/** Object names: generateName suffixes and the RFC 1123 checks the real API applies. */
import { randomInt } from 'node:crypto';
import type { Cause } from './status.js';

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'; // the apiserver's: no vowels, no confusables

export function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function nameCauses(name: string, dnsLabel: boolean): Cause[] {
  const ok = dnsLabel ? LABEL.test(name) && name.length <= 63 : SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return [];
  const what = dnsLabel ? 'a lowercase RFC 1123 label' : 'a lowercase RFC 1123 subdomain';
  return [{
    field: 'metadata.name',
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(name)}: ${what} must consist of lower case alphanumeric characters, '-'${dnsLabel ? '' : " or '.'"}, and must start and end with an alphanumeric character`,
  }];
}

/** RFC3339 with second precision, as metav1.Time serialises. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
