/** The runtime's conditions (runtime/conditions.ts) on a NodeClaim held in memory. */
import { getCondition as conditionOf, setCondition as setConditionIn, type Condition } from '../runtime/conditions.js';
import type { NodeClaim } from './types.js';

export function getCondition(c: NodeClaim, type: string): Condition | undefined {
  return conditionOf(c.status?.conditions, type);
}

export function isTrue(c: NodeClaim, type: string): boolean {
  return getCondition(c, type)?.status === 'True';
}

/** Sets a condition on the claim (the runtime's setter, observing the claim's generation). */
export function setCondition(
  c: NodeClaim, type: string, status: Condition['status'], reason: string, message: string, now: Date,
): void {
  c.status ??= {};
  setConditionIn((c.status.conditions ??= []), { type, status, reason, message }, now, c.metadata.generation);
}
