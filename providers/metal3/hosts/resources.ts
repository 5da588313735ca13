import { InvalidConfigurationError, parseQuantity } from '../../../plugin/contract.js';
import { ANNOTATION } from '../names.js';
import type { BareMetalHost } from '../types.js';
import { requireQuantity } from '../quantity.js';

/** Resources that are not hardware but kubelet settings: never compared with a host. */
const NON_HARDWARE_RESOURCES = new Set(['pods']);


export interface HostResources {
  cpu: number;
  memoryBytes: number;
  extended: Record<string, number>;
}

/**
 * What the host offers, from inspection (`status.hardware.cpu.count`, `ramMebibytes`) plus the
 * extended-resources annotation. Missing or odd data gives `problem` instead of guessing.
 */
export function hostResources(bmh: BareMetalHost): { resources?: HostResources; problem?: string } {
  const hardware = bmh.status?.hardware;
  if (!hardware) return { problem: 'no status.hardware (not inspected yet?)' };
  const cpu = hardware.cpu?.count;
  if (typeof cpu !== 'number' || !Number.isFinite(cpu) || cpu <= 0) {
    return { problem: 'status.hardware.cpu.count is missing or not a positive number' };
  }
  const ram = hardware.ramMebibytes;
  if (typeof ram !== 'number' || !Number.isFinite(ram) || ram <= 0) {
    return { problem: 'status.hardware.ramMebibytes is missing or not a positive number' };
  }
  const extended = parseExtended(bmh.metadata?.annotations?.[ANNOTATION.extendedResources]);
  if ('problem' in extended) return { problem: extended.problem };
  return { resources: { cpu, memoryBytes: ram * 2 ** 20, extended: extended.values } };
}

function parseExtended(text: string | undefined): { values: Record<string, number> } | { problem: string } {
  if (text === undefined || text.trim() === '') return { values: {} };
  const field = `annotation ${ANNOTATION.extendedResources}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: `${field} is not valid JSON` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problem: `${field} must be a JSON object of resource name to quantity` };
  }
  const values: Record<string, number> = {};
  for (const [name, raw] of Object.entries(parsed)) {
    const quantity = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseQuantity(raw) : undefined;
    if (quantity === undefined || quantity < 0) return { problem: `${field}: ${JSON.stringify(name)} is not a quantity` };
    values[name] = quantity;
  }
  return { values };
}

/** A node type's `resources` parsed once: hardware requirements only, in declaration order. */
export type ParsedRequirements = readonly { name: string; want: number }[];

/** Parses `required` (node type `resources`); malformed or negative quantities throw InvalidConfigurationError on `object`. */
export function parseRequirements(required: Record<string, string> | undefined, object = 'NodeType'): ParsedRequirements {
  const parsed: { name: string; want: number }[] = [];
  for (const [name, text] of Object.entries(required ?? {})) {
    if (NON_HARDWARE_RESOURCES.has(name)) continue;
    const want = requireQuantity(text, { object, field: `resources[${JSON.stringify(name)}]` });
    if (want < 0) throw new InvalidConfigurationError(object, `resources[${JSON.stringify(name)}]`, 'must not be negative');
    parsed.push({ name, want });
  }
  return parsed;
}

/** fitsResources with requirements parsed beforehand (parseRequirements). */
export function fitsParsed(host: HostResources, required: ParsedRequirements): { ok: boolean; missing?: string } {
  for (const { name, want } of required) {
    const have = name === 'cpu' ? host.cpu : name === 'memory' ? host.memoryBytes : (host.extended[name] ?? 0);
    if (have < want) return { ok: false, missing: name };
  }
  return { ok: true };
}

/**
 * Whether `host` has at least `required` (node type `resources`). `missing` names the first
 * resource that falls short. Malformed requirements throw InvalidConfigurationError on `object`.
 */
export function fitsResources(
  host: HostResources,
  required: Record<string, string> | undefined,
  object = 'NodeType',
): { ok: boolean; missing?: string } {
  for (const [name, text] of Object.entries(required ?? {})) {
    if (NON_HARDWARE_RESOURCES.has(name)) continue;
    const want = requireQuantity(text, { object, field: `resources[${JSON.stringify(name)}]` });
    if (want < 0) throw new InvalidConfigurationError(object, `resources[${JSON.stringify(name)}]`, 'must not be negative');
    const have = name === 'cpu' ? host.cpu : name === 'memory' ? host.memoryBytes : (host.extended[name] ?? 0);
    if (have < want) return { ok: false, missing: name };
  }
  return { ok: true };
}
