/**
 * `metav1.Condition`: the one condition shape the host writes (NodeClaims, VirtualClusterInstances,
 * NodeProviders, NodeTypes) and the one way to set one.
 */

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** What a controller decides; the setter adds the bookkeeping. */
export type ConditionUpdate = Pick<Condition, 'type' | 'status' | 'reason' | 'message'>;

export function getCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets `update` in `conditions` (in place; a new type is appended). lastTransitionTime moves only when
 * the status does; `observedGeneration` is recorded when given. Returns whether status, reason or
 * message changed, so a caller can skip a write that would change nothing.
 */
export function setCondition(conditions: Condition[], update: ConditionUpdate, now: Date, observedGeneration?: number): boolean {
  const existing = getCondition(conditions, update.type);
  const changed = !existing || existing.status !== update.status || existing.reason !== update.reason || existing.message !== update.message;
  const next: Condition = {
    type: update.type, status: update.status, reason: update.reason, message: update.message,
    lastTransitionTime: existing && existing.status === update.status ? existing.lastTransitionTime : now.toISOString(),
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  if (existing) Object.assign(existing, next);
  else conditions.push(next);
  return changed;
}

/** `setCondition` for each update on a copy of `existing`: the list a status write should carry. */
export function withConditions(existing: readonly Condition[] | undefined, updates: readonly ConditionUpdate[], now: Date, observedGeneration?: number): Condition[] {
  const conditions = (existing ?? []).map((c) => ({ ...c }));
  for (const update of updates) setCondition(conditions, update, now, observedGeneration);
  return conditions;
}
