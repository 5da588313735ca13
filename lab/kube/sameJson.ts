/**
 * `JSON.stringify(a) === JSON.stringify(b)` without writing either out: the same fields in the same order
 * with the same values (undefined fields skipped, undefined list items as null). A subtree both sides
 * share (an update keeps the stored status object) is equal without being walked.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || hasToJson(a) || hasToJson(b)) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameJson(asListItem(item), asListItem(b[i])));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => written(ra[k]));
  const kb = Object.keys(rb).filter((k) => written(rb[k]));
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameJson(ra[k], rb[k]));
}

const hasToJson = (o: object) => typeof (o as { toJSON?: unknown }).toJSON === 'function';
const written = (v: unknown) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
const asListItem = (v: unknown) => (written(v) ? v : null);
