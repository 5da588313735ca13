/** metav1.Condition helpers: a condition's lastTransitionTime moves only when its status does. */

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

export function mergeConditions(existing: Condition[] | undefined, wanted: Condition[], nowIso: string): Condition[] {
  const byType = new Map((existing ?? []).map((c) => [c.type, c]));
  const out = wanted.map((w) => {
    const old = byType.get(w.type);
    byType.delete(w.type);
    const keepTime = old && old.status === w.status && old.lastTransitionTime;
    return { ...w, lastTransitionTime: keepTime ? old.lastTransitionTime : nowIso };
  });
  return [...out, ...byType.values()];
}

/** Deep equality on JSON shapes, for skipping writes that would change nothing. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]),
    );
  }
  return v;
}
