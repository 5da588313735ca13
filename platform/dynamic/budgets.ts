/**
 * Disruption budgets of a pool (Karpenter semantics, pure): of the budgets that apply to a reason and
 * are active now (no schedule = always; a cron schedule opens a window of `duration`), the smallest
 * wins; a percentage is of the pool's nodes, rounded up; nodes already being disrupted count against it.
 */
import type { DisruptionBudget, DisruptionReason } from '../autoNodes/config.js';
import { parseCron, windowActive } from './cron.js';

export interface BudgetVerdict {
  /** How many more nodes may be disrupted now (Infinity when no budget applies). */
  allowed: number;
  /** The budget that set the number, for the event. */
  binding?: DisruptionBudget;
}

export function allowedDisruptions(
  budgets: DisruptionBudget[], reason: DisruptionReason, poolNodes: number, disrupting: number, now: Date,
): BudgetVerdict {
  let best: BudgetVerdict = { allowed: Infinity };
  for (const b of budgets) {
    if (b.reasons && !b.reasons.includes(reason)) continue;
    if (b.schedule) {
      const parsed = parseCron(b.schedule);
      if (!parsed.ok || !windowActive(parsed.schedule, b.durationMs ?? 0, now)) continue;
    }
    const n = 'count' in b.nodes ? b.nodes.count : Math.ceil((b.nodes.percent * poolNodes) / 100);
    if (n < best.allowed) best = { allowed: n, binding: b };
  }
  return { ...best, allowed: Math.max(0, best.allowed - disrupting) };
}

export function describeBudget(b: DisruptionBudget): string {
  const nodes = 'count' in b.nodes ? String(b.nodes.count) : `${b.nodes.percent}%`;
  return `nodes=${nodes}${b.schedule ? ` (schedule "${b.schedule}" for ${Math.round((b.durationMs ?? 0) / 60_000)}m)` : ''}`;
}
