/**
 * Validation of `privateNodes.autoNodes` with the rules of the real platform (vcluster
 * pkg/config/validation.go): provider required and once per cluster, pool names required and unique
 * across all pools, quantity an integer >= 0, selector operators and their value arity.
 * Every error names the field path, e.g. `privateNodes.autoNodes[0].static[1].quantity: must be >= 0`.
 */
import { parse as parseYaml } from 'yaml';
import { labelKeyError, labelValueError } from '../tenants/labelSyntax.js';
import type {
  AutoNodesConfig, AutoNodesEntry, RawRequirement, Requirement, RequirementOperator, StaticPool, Taint,
} from './config.js';
import { dynamicPool } from './dynamicPool.js';

export type AutoNodesParseResult = { ok: true; config: AutoNodesConfig } | { ok: false; errors: string[] };

const OPERATORS: Record<string, RequirementOperator> = {
  '': 'In', In: 'In', NotIn: 'NotIn', Exists: 'Exists', DoesNotExist: 'DoesNotExist', NotExists: 'DoesNotExist',
  Gt: 'Gt', Lt: 'Lt',
};

/** Parses the vcluster.yaml string of a VirtualClusterInstance and validates its autoNodes section. */
export function parseAutoNodesFromValues(values: string | undefined): AutoNodesParseResult {
  let doc: unknown;
  try {
    doc = values ? parseYaml(values) : {};
  } catch (err) {
    return { ok: false, errors: [`spec.template.helmRelease.values: not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  const privateNodes = isObject(doc) ? doc.privateNodes : undefined;
  if (privateNodes !== undefined && privateNodes !== null && !isObject(privateNodes)) {
    return { ok: false, errors: ['privateNodes: must be an object'] };
  }
  const result = validateAutoNodes(isObject(privateNodes) ? privateNodes.autoNodes : undefined);
  if (result.ok && result.config.entries.length > 0 && isObject(privateNodes) && privateNodes.enabled !== true) {
    return { ok: false, errors: ['privateNodes.enabled: must be true to use privateNodes.autoNodes (auto nodes join as private nodes)'] };
  }
  return result;
}

/** Validates the value of `privateNodes.autoNodes` (list form, or the legacy single-object form). */
export function validateAutoNodes(raw: unknown): AutoNodesParseResult {
  const errors: string[] = [];
  if (raw === undefined || raw === null) return { ok: true, config: { entries: [] } };
  const listed: { value: unknown; path: string }[] = Array.isArray(raw)
    ? raw.map((value, i) => ({ value, path: `privateNodes.autoNodes[${i}]` }))
    : isObject(raw)
      ? [{ value: raw, path: 'privateNodes.autoNodes' }]
      : [];
  if (!Array.isArray(raw) && !isObject(raw)) errors.push('privateNodes.autoNodes: must be a list');

  const providers = new Set<string>();
  const poolNames = new Map<string, string>();
  const entries: AutoNodesEntry[] = [];
  for (const { value, path } of listed) {
    if (!isObject(value)) {
      errors.push(`${path}: must be an object`);
      continue;
    }
    const provider = value.provider;
    if (typeof provider !== 'string' || provider === '') {
      errors.push(`${path}.provider: required`);
    } else if (providers.has(provider)) {
      errors.push(`${path}.provider: you cannot have two configurations for the same provider "${provider}"`);
    } else {
      providers.add(provider);
    }
    const checkName = (name: unknown, poolPath: string): string => {
      if (typeof name !== 'string' || name === '') {
        errors.push(`${poolPath}.name: required`);
        return '';
      }
      const earlier = poolNames.get(name);
      if (earlier) errors.push(`${poolPath}.name: duplicate pool name "${name}" (also ${earlier})`);
      else poolNames.set(name, poolPath);
      return name;
    };
    const staticPools = listOf(value.static, `${path}.static`, errors).map(({ item, itemPath }) =>
      staticPool(item, itemPath, checkName, errors));
    const dynamicPools = listOf(value.dynamic, `${path}.dynamic`, errors).map(({ item, itemPath }) =>
      dynamicPool(item, itemPath, checkName(item.name, itemPath), errors));
    entries.push({
      provider: typeof provider === 'string' ? provider : '',
      properties: stringMap(value.properties, `${path}.properties`, errors),
      static: staticPools,
      dynamic: dynamicPools,
    });
  }
  return errors.length ? { ok: false, errors } : { ok: true, config: { entries } };
}

function staticPool(
  item: Record<string, unknown>, path: string, checkName: (n: unknown, p: string) => string, errors: string[],
): StaticPool {
  const name = checkName(item.name, path);
  const q = item.quantity;
  let quantity = 0;
  if (q === undefined || q === null) errors.push(`${path}.quantity: required`);
  else if (typeof q !== 'number' || !Number.isInteger(q)) errors.push(`${path}.quantity: must be an integer`);
  else if (q < 0) errors.push(`${path}.quantity: must be >= 0`);
  else quantity = q;
  const tgp = item.terminationGracePeriod;
  if (tgp !== undefined && (typeof tgp !== 'string' || (tgp !== 'Never' && parseDurationMs(tgp) === undefined))) {
    errors.push(`${path}.terminationGracePeriod: must be a duration like "30s" or "Never"`);
  }
  return {
    name,
    quantity,
    requirements: requirements(item.nodeTypeSelector, `${path}.nodeTypeSelector`, errors),
    properties: stringMap(item.properties, `${path}.properties`, errors),
    taints: taints(item.taints, `${path}.taints`, errors),
    nodeLabels: labelMap(item.nodeLabels, `${path}.nodeLabels`, errors),
    terminationGracePeriod: typeof tgp === 'string' ? tgp : undefined,
  };
}

/** Validates one nodeTypeSelector and normalises it: "" → In, value → values[0], NotExists → DoesNotExist. */
export function requirements(raw: unknown, path: string, errors: string[]): Requirement[] {
  return listOf(raw, path, errors).flatMap(({ item, itemPath }) => {
    const r = item as RawRequirement;
    const before = errors.length;
    if (typeof r.property !== 'string' || r.property === '') errors.push(`${itemPath}.property: required`);
    const opRaw = r.operator ?? '';
    const operator = typeof opRaw === 'string' ? OPERATORS[opRaw] : undefined;
    if (!operator) {
      errors.push(`${itemPath}.operator: unsupported operator "${String(opRaw)}" (allowed: "", In, NotIn, Exists, DoesNotExist, NotExists, Gt, Lt)`);
    }
    const hasValue = r.value !== undefined && r.value !== null;
    const hasValues = r.values !== undefined && r.values !== null;
    if (hasValue && hasValues) errors.push(`${itemPath}: value and values are mutually exclusive`);
    if (hasValue && typeof r.value !== 'string') errors.push(`${itemPath}.value: must be a string`);
    if (hasValues && (!Array.isArray(r.values) || r.values.some((v) => typeof v !== 'string'))) {
      errors.push(`${itemPath}.values: must be a list of strings`);
    }
    const values = hasValue ? [r.value as string] : hasValues && Array.isArray(r.values) ? (r.values as string[]) : [];
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) errors.push(`${itemPath}: operator ${operator} requires value or values`);
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (hasValue || hasValues) errors.push(`${itemPath}: operator ${opRaw} must not have value or values`);
    } else if (operator === 'Gt' || operator === 'Lt') {
      if (values.length !== 1) errors.push(`${itemPath}: operator ${operator} requires exactly one value`);
      else if (!/^-?\d+$/.test(values[0])) errors.push(`${itemPath}.value: operator ${operator} requires an integer, got "${values[0]}"`);
    }
    if (errors.length > before || !operator) return [];
    const req: Requirement = { key: r.property as string, operator };
    if (values.length) req.values = [...values];
    return [req];
  });
}

export function taints(raw: unknown, path: string, errors: string[]): Taint[] {
  return listOf(raw, path, errors).flatMap(({ item, itemPath }) => {
    const { key, value, effect } = item;
    if (typeof key !== 'string' || key === '') errors.push(`${itemPath}.key: required`);
    else if (labelKeyError(key)) errors.push(`${itemPath}.key: ${labelKeyError(key)}`);
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect as string)) {
      errors.push(`${itemPath}.effect: must be one of NoSchedule, PreferNoSchedule, NoExecute`);
    }
    if (value !== undefined && typeof value !== 'string') errors.push(`${itemPath}.value: must be a string`);
    else if (typeof value === 'string' && labelValueError(value)) errors.push(`${itemPath}.value: ${labelValueError(value)}`);
    return typeof key === 'string' && typeof effect === 'string'
      ? [{ key, effect, ...(typeof value === 'string' ? { value } : {}) }]
      : [];
  });
}

export function listOf(raw: unknown, path: string, errors: string[]): { item: Record<string, unknown>; itemPath: string }[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    errors.push(`${path}: must be a list`);
    return [];
  }
  return raw.flatMap((item, i) => {
    const itemPath = `${path}[${i}]`;
    if (!isObject(item)) {
      errors.push(`${itemPath}: must be an object`);
      return [];
    }
    return [{ item, itemPath }];
  });
}

export function stringMap(raw: unknown, path: string, errors: string[]): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) {
    errors.push(`${path}: must be a map of strings`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') errors.push(`${path}.${k}: must be a string`);
    else out[k] = v;
  }
  return out;
}

/** A map of strings that must be valid Node labels (key and value). */
function labelMap(raw: unknown, path: string, errors: string[]): Record<string, string> {
  const map = stringMap(raw, path, errors);
  for (const [k, v] of Object.entries(map)) {
    const problem = labelKeyError(k) ?? labelValueError(v);
    if (problem) errors.push(`${path}.${k}: ${problem}`);
  }
  return map;
}

/** Go-style duration ("30s", "1m30s", "500ms") in milliseconds; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) return undefined;
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    total += Number(m[1]) * unit;
    consumed += m[0].length;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
