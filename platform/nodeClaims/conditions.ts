/** metav1.Condition bookkeeping on a NodeClaim held in memory. */
import type { Condition, NodeClaim } from './types.js';

export function getCondition(c: NodeClaim, type: string): Condition | undefined {
  return c.status?.conditions?.find((x) => x.type === type);
}

export function isTrue(c: NodeClaim, type: string): boolean {
  return getCondition(c, type)?.status === 'True';
}

/** Sets a condition; lastTransitionTime moves only when the status changes. */
export function setCondition(
  c: NodeClaim, type: string, status: Condition['status'], reason: string, message: string, now: Date,
): void {
  c.status ??= {};
  const list = (c.status.conditions ??= []);
  const existing = list.find((x) => x.type === type);
  const next: Condition = {
    type, status, reason, message,
    lastTransitionTime: existing && existing.status === status ? existing.lastTransitionTime : now.toISOString(),
    observedGeneration: c.metadata.generation,
  };
  if (existing) Object.assign(existing, next);
  else list.push(next);
}
