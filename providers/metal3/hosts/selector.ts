import type { LabelSelector } from '../spec.js';

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});
const NO_EXPRESSIONS: readonly NonNullable<LabelSelector['matchExpressions']>[number][] = Object.freeze([]);
const NO_VALUES: readonly string[] = Object.freeze([]);

/**
 * Kubernetes label-selector semantics: all matchLabels and all matchExpressions must hold (AND).
 * An absent or empty selector matches everything. An unknown operator matches nothing (fail closed).
 */
export function matchesLabelSelector(labels: Record<string, string> | undefined, selector: LabelSelector | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? NO_LABELS;
  const matchLabels = selector.matchLabels ?? NO_LABELS;
  // for...in over own keys (no entries array per call: this runs for every host of a full scan).
  for (const key in matchLabels) {
    if (!Object.hasOwn(matchLabels, key)) continue;
    if (!Object.hasOwn(have, key) || have[key] !== matchLabels[key]) return false;
  }
  for (const expr of selector.matchExpressions ?? NO_EXPRESSIONS) {
    const present = Object.hasOwn(have, expr.key);
    const values = expr.values ?? NO_VALUES;
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
