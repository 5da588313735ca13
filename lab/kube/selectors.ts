/** Label selectors (=, ==, !=, in, notin, key, !key) and field selectors, parsed once per request. */
import { ApiError } from './status.js';
import type { KubeObject } from './types.js';

type LabelReq =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type ObjectMatcher = (obj: KubeObject) => boolean;

export const matchAll: ObjectMatcher = () => true;

/** Splits on commas that are not inside parentheses ("a in (x,y),b" -> ["a in (x,y)", "b"]). */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parseLabelReq(term: string): LabelReq {
  const setMatch = /^([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    const values = setMatch[3].split(',').map((v) => v.trim()).filter((v) => v.length > 0);
    return { op: setMatch[2] as 'in' | 'notin', key: setMatch[1], values };
  }
  const cmp = /^([^\s!=]+)\s*(==|!=|=)\s*(\S*)$/.exec(term);
  if (cmp) return { op: cmp[2] === '!=' ? 'neq' : 'eq', key: cmp[1], value: cmp[3] };
  const neg = /^!\s*([^\s!=()]+)$/.exec(term);
  if (neg) return { op: 'notexists', key: neg[1] };
  if (/^[^\s!=()]+$/.test(term)) return { op: 'exists', key: term };
  throw new ApiError(400, 'BadRequest', `unable to parse requirement: invalid label selector term ${JSON.stringify(term)}`);
}

function labelMatches(req: LabelReq, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const v = labels[req.key];
  switch (req.op) {
    case 'eq': return has && v === req.value;
    case 'neq': return !has || v !== req.value;
    case 'in': return has && req.values.includes(v);
    case 'notin': return !has || !req.values.includes(v);
    case 'exists': return has;
    case 'notexists': return !has;
  }
}

export function parseLabelSelector(selector: string | undefined | null): ObjectMatcher {
  if (!selector || !selector.trim()) return matchAll;
  const reqs = splitTopLevel(selector).map(parseLabelReq);
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return reqs.every((r) => labelMatches(r, labels));
  };
}

type FieldReader = (obj: KubeObject) => string;

const at = (obj: KubeObject, path: string[]): string => {
  let cur: unknown = obj;
  for (const k of path) cur = (cur as Record<string, unknown> | undefined)?.[k];
  return cur === undefined || cur === null ? '' : String(cur);
};

/** The fields each kind supports in field selectors beyond metadata.name/namespace (the real API rejects others with 400). */
const KIND_FIELDS: Record<string, Record<string, FieldReader>> = {
  Secret: { type: (o) => at(o, ['type']) },
  Pod: Object.fromEntries(['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP']
    .map((f) => [f, (o: KubeObject) => at(o, f.split('.'))])),
};

const COMMON_FIELDS: Record<string, FieldReader> = {
  'metadata.name': (o) => o.metadata.name ?? '',
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

/** Field selector for a resource of `kind` (unknown kinds support only metadata.name and metadata.namespace). */
export function parseFieldSelector(selector: string | undefined | null, kind?: string): ObjectMatcher {
  if (!selector || !selector.trim()) return matchAll;
  const fields = { ...COMMON_FIELDS, ...(kind ? KIND_FIELDS[kind] : {}) };
  const reqs = splitTopLevel(selector).map((term) => {
    const m = /^([^\s!=]+)\s*(==|!=|=)\s*(\S*)$/.exec(term);
    if (!m) throw new ApiError(400, 'BadRequest', `invalid field selector term ${JSON.stringify(term)}`);
    const read = fields[m[1]];
    if (!read) throw new ApiError(400, 'BadRequest', `field label not supported: ${m[1]}`);
    return { read, neg: m[2] === '!=', value: m[3] };
  });
  return (obj) => reqs.every((r) => (r.read(obj) === r.value) !== r.neg);
}

export function combine(a: ObjectMatcher, b: ObjectMatcher): ObjectMatcher {
  if (a === matchAll) return b;
  if (b === matchAll) return a;
  return (o) => a(o) && b(o);
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A metav1.LabelSelector object: empty selects everything; an unknown operator selects nothing. */
export function labelSelectorMatcher(sel: LabelSelector): ObjectMatcher {
  const terms = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') terms.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') terms.push(e.key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
    else return () => false;
  }
  return terms.length ? parseLabelSelector(terms.join(',')) : () => true;
}
