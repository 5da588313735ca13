import type { LabelSelector } from '../spec.js';

/**
 * Kubernetes label-selector semantics: all matchLabels and all matchExpressions must hold (AND).
 * An absent or empty selector matches everything. An unknown operator matches nothing (fail closed).
 */
export function matchesLabelSelector(labels: Record<string, string> | undefined, selector: LabelSelector | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!Object.hasOwn(have, key) || have[key] !== value) return false;
  }
  for (const expr of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(have, expr.key);
    const values = expr.values ?? [];
    // The API documents `NotExists` in places while Kubernetes spells it `DoesNotExist`: accept both.
    switch (expr.operator as string) {
      case 'In':
        if (!present || !values.includes(have[expr.key])) return false;
        break;
      case 'NotIn':
        if (present && values.includes(have[expr.key])) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
      case 'NotExists':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
