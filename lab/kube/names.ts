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

/** RBAC objects only need a valid path segment (`system:discovery` is fine), as in the real API. */
export function pathSegmentCauses(name: string): Cause[] {
  if (name !== '.' && name !== '..' && !/[/%]/.test(name)) return [];
  const why = name === '.' || name === '..' ? `may not be '${name}'` : `may not contain '${name.includes('/') ? '/' : '%'}'`;
  return [{ field: 'metadata.name', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(name)}: ${why}` }];
}

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

let formatted = { second: NaN, text: '' };

/** RFC3339 with second precision, as metav1.Time serialises (formatted once per second: every write asks). */
export function nowTimestamp(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== formatted.second) formatted = { second, text: new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return formatted.text;
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function qualifiedNameOk(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (name.length > 63 || !LABEL_NAME.test(name)) return false;
  return parts.length === 1 || (parts[0].length <= 253 && SUBDOMAIN.test(parts[0]));
}

/** The real API's checks on label keys/values and annotation keys. */
export function metadataCauses(meta: { labels?: unknown; annotations?: unknown }): Cause[] {
  const causes: Cause[] = [];
  const labels = (meta.labels ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(labels)) {
    if (!qualifiedNameOk(k)) causes.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(k)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      causes.push({ field: 'metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(v)}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
    }
  }
  const annotations = (meta.annotations ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(annotations)) {
    if (!qualifiedNameOk(k)) causes.push({ field: 'metadata.annotations', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(k)}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
    if (typeof v !== 'string') causes.push({ field: `metadata.annotations`, reason: 'FieldValueTypeInvalid', message: `Invalid value: ${JSON.stringify(v)}: annotation values must be strings` });
  }
  return causes;
}
