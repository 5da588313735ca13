/**
 * Validation of one `privateNodes.autoNodes[].dynamic[]` pool (a Karpenter NodePool): limits are
 * Kubernetes quantities (`nodes` a whole number), durations Go-style or "Never", budgets `nodes` as a
 * count or percentage with an optional cron `schedule` + `duration` (both or neither), weight 1-100.
 * Every error names the field, e.g. `privateNodes.autoNodes[0].dynamic[0].limits.cpu: ...`.
 */
import { parseCron } from '../dynamic/cron.js';
import { parseQuantity } from '../../common/quantity.js';
import type { ConsolidationPolicy, DisruptionBudget, DisruptionReason, DynamicPool } from './config.js';
import { isObject, listOf, parseDurationMs, requirements, stringMap, taints } from './validate.js';

/** Karpenter's defaults; consolidateAfter as the platform documents it (idle nodes go after 30 s). */
export const DYNAMIC_DEFAULTS = {
  consolidationPolicy: 'WhenEmptyOrUnderutilized' as ConsolidationPolicy,
  consolidateAfter: '30s',
  budgets: [{ nodes: { percent: 10 } }] as DisruptionBudget[],
  expireAfter: '720h',
  terminationGracePeriod: '30s',
};
const POLICIES: ConsolidationPolicy[] = ['WhenEmpty', 'WhenEmptyOrUnderutilized'];
const REASONS: DisruptionReason[] = ['Empty', 'Underutilized', 'Drifted'];

export function dynamicPool(item: Record<string, unknown>, path: string, name: string, errors: string[]): DynamicPool {
  const disruption = isObject(item.disruption) ? item.disruption : {};
  if (item.disruption !== undefined && item.disruption !== null && !isObject(item.disruption)) errors.push(`${path}.disruption: must be an object`);
  const policy = disruption.consolidationPolicy ?? DYNAMIC_DEFAULTS.consolidationPolicy;
  if (!POLICIES.includes(policy as ConsolidationPolicy)) {
    errors.push(`${path}.disruption.consolidationPolicy: must be one of ${POLICIES.join(', ')}, got ${JSON.stringify(policy)}`);
  }
  const tgp = item.terminationGracePeriod;
  if (tgp !== undefined && (typeof tgp !== 'string' || (tgp !== 'Never' && parseDurationMs(tgp) === undefined))) {
    errors.push(`${path}.terminationGracePeriod: must be a duration like "30s" or "Never"`);
  }
  return {
    name,
    requirements: requirements(item.nodeTypeSelector, `${path}.nodeTypeSelector`, errors),
    properties: stringMap(item.properties, `${path}.properties`, errors),
    taints: taints(item.taints, `${path}.taints`, errors),
    nodeLabels: stringMap(item.nodeLabels, `${path}.nodeLabels`, errors),
    limits: limits(item.limits, `${path}.limits`, errors),
    disruption: {
      consolidationPolicy: policy as ConsolidationPolicy,
      consolidateAfterMs: durationOrNever(disruption.consolidateAfter ?? DYNAMIC_DEFAULTS.consolidateAfter, `${path}.disruption.consolidateAfter`, errors),
      budgets: disruption.budgets === undefined ? DYNAMIC_DEFAULTS.budgets : budgets(disruption.budgets, `${path}.disruption.budgets`, errors),
    },
    terminationGracePeriod: typeof tgp === 'string' ? tgp : DYNAMIC_DEFAULTS.terminationGracePeriod,
    expireAfterMs: durationOrNever(item.expireAfter ?? DYNAMIC_DEFAULTS.expireAfter, `${path}.expireAfter`, errors),
    weight: weight(item.weight, `${path}.weight`, errors),
  };
}

function limits(raw: unknown, path: string, errors: string[]): Record<string, number> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) {
    errors.push(`${path}: must be a map of resource quantities`);
    return {};
  }
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) {
    const text = typeof value === 'number' ? String(value) : value;
    const qty = typeof text === 'string' ? parseQuantity(text) : undefined;
    if (qty === undefined || qty < 0) {
      errors.push(`${path}.${key}: must be a non-negative quantity like "100", "500m" or "512Gi", got ${JSON.stringify(value)}`);
    } else if (key === 'nodes' && !Number.isInteger(qty)) {
      errors.push(`${path}.nodes: must be a whole number of nodes, got ${JSON.stringify(value)}`);
    } else {
      out[key] = qty;
    }
  }
  return out;
}

function budgets(raw: unknown, path: string, errors: string[]): DisruptionBudget[] {
  return listOf(raw, path, errors).flatMap(({ item, itemPath }) => {
    const before = errors.length;
    const nodes = budgetNodes(item.nodes, `${itemPath}.nodes`, errors);
    const schedule = item.schedule;
    const duration = item.duration;
    if ((schedule === undefined) !== (duration === undefined)) {
      errors.push(`${itemPath}: schedule and duration must be set together`);
    }
    if (schedule !== undefined) {
      const parsed = typeof schedule === 'string' ? parseCron(schedule) : { ok: false as const, error: 'must be a string' };
      if (!parsed.ok) errors.push(`${itemPath}.schedule: ${parsed.error}`);
    }
    let durationMs: number | undefined;
    if (duration !== undefined) {
      durationMs = typeof duration === 'string' ? parseDurationMs(duration) : undefined;
      if (durationMs === undefined) errors.push(`${itemPath}.duration: must be a duration like "10m" or "1h30m", got ${JSON.stringify(duration)}`);
    }
    let reasons: DisruptionReason[] | undefined;
    if (item.reasons !== undefined) {
      if (!Array.isArray(item.reasons) || item.reasons.some((r) => !REASONS.includes(r as DisruptionReason))) {
        errors.push(`${itemPath}.reasons: must be a list of ${REASONS.join(', ')}`);
      } else {
        reasons = item.reasons as DisruptionReason[];
      }
    }
    if (errors.length > before || !nodes) return [];
    return [{ nodes, ...(typeof schedule === 'string' ? { schedule, durationMs } : {}), ...(reasons ? { reasons } : {}) }];
  });
}

function budgetNodes(raw: unknown, path: string, errors: string[]): DisruptionBudget['nodes'] | undefined {
  const text = typeof raw === 'number' ? String(raw) : raw;
  const m = typeof text === 'string' ? /^(\d+)(%?)$/.exec(text) : null;
  if (!m || (m[2] && Number(m[1]) > 100)) {
    errors.push(`${path}: must be a whole number or a percentage like "20%", got ${JSON.stringify(raw)}`);
    return undefined;
  }
  return m[2] ? { percent: Number(m[1]) } : { count: Number(m[1]) };
}

function durationOrNever(raw: unknown, path: string, errors: string[]): number | undefined {
  if (raw === 'Never') return undefined;
  const ms = typeof raw === 'string' ? parseDurationMs(raw) : undefined;
  if (ms === undefined) errors.push(`${path}: must be a duration like "30s" or "720h", or "Never", got ${JSON.stringify(raw)}`);
  return ms;
}

function weight(raw: unknown, path: string, errors: string[]): number {
  if (raw === undefined || raw === null) return 0;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > 100) {
    errors.push(`${path}: must be an integer from 1 to 100, got ${JSON.stringify(raw)}`);
    return 0;
  }
  return raw;
}
