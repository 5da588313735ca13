/**
 * Kubernetes set-based requirements evaluated against a NodeType's properties. A property value may
 * be a comma list (the type offers each of those values) or `*` (it offers any value).
 */
import type { Requirement } from '../autoNodes/config.js';

/** Does the property map satisfy one requirement? */
export function satisfies(properties: Record<string, string>, req: Requirement): boolean {
  const raw = properties[req.key];
  const present = raw !== undefined;
  const offered = present ? raw.split(',').map((v) => v.trim()) : [];
  const wildcard = offered.includes('*');
  const values = req.values ?? [];
  switch (req.operator) {
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    case 'In':
      return present && (wildcard || offered.some((v) => values.includes(v)));
    case 'NotIn':
      // A wildcard type can always pick a value outside the excluded set.
      return !present || wildcard || offered.some((v) => !values.includes(v));
    case 'Gt':
    case 'Lt': {
      if (!present) return false;
      if (wildcard) return true;
      const bound = Number(values[0]);
      return offered.some((v) => /^-?\d+$/.test(v) && (req.operator === 'Gt' ? Number(v) > bound : Number(v) < bound));
    }
  }
}

export function satisfiesAll(properties: Record<string, string>, reqs: Requirement[]): boolean {
  return reqs.every((r) => satisfies(properties, r));
}
