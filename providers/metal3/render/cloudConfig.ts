import { parseDocument, type Document } from 'yaml';
import { InvalidConfigurationError } from '../../../plugin/contract.js';
import { emitYamlFast, stringifyForCloudInit } from './yamlEmit.js';

export const CLOUD_CONFIG_HEADER = '#cloud-config';

/** Lists that both documents may carry: concatenated, the user's entries first. */
const CONCATENATED_LISTS = new Set(['write_files', 'ssh_authorized_keys', 'packages', 'bootcmd', 'runcmd']);
/** Keys the generated document always owns. */
const GENERATED_WINS = new Set(['hostname', 'fqdn']);

export type CloudConfig = Record<string, unknown>;

/**
 * Parses a `#cloud-config` document the way cloud-init reads it (YAML 1.1). Throws
 * InvalidConfigurationError on `object`/`field` when the header is missing, the YAML is invalid
 * or the document is not a map. Messages carry positions, never the document's content.
 */
export function parseCloudConfig(text: string, object: string, field: string): CloudConfig {
  const firstLine = text.replace(/^\uFEFF/, '').split('\n', 1)[0].trim();
  if (firstLine !== CLOUD_CONFIG_HEADER) {
    throw new InvalidConfigurationError(object, field, `must start with a "${CLOUD_CONFIG_HEADER}" line`);
  }
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const where = first.linePos?.[0] ? `line ${first.linePos[0].line}, column ${first.linePos[0].col}` : 'unknown position';
    throw new InvalidConfigurationError(object, field, `is not valid YAML (${where}: ${first.code})`);
  }
  const value = documentValue(doc);
  if (value === UNRESOLVABLE) throw new InvalidConfigurationError(object, field, `is not valid YAML (${UNRESOLVABLE})`);
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidConfigurationError(object, field, `must be a YAML map of cloud-config keys, not ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  return value as CloudConfig;
}

/**
 * The user's cloud-config merged into the generated one: user scalars and maps win except
 * `hostname`/`fqdn`; the CONCATENATED_LISTS are joined user-first, so the join command runs
 * after the user's `runcmd` and generated files overwrite same-path user files.
 */
export function mergeCloudConfig(generated: CloudConfig, user: CloudConfig, object: string, field: string): CloudConfig {
  const merged: CloudConfig = {};
  for (const key of GENERATED_WINS) if (key in generated) merged[key] = generated[key];
  for (const [key, value] of Object.entries(user)) {
    if (GENERATED_WINS.has(key)) continue;
    if (CONCATENATED_LISTS.has(key)) {
      if (!Array.isArray(value)) throw new InvalidConfigurationError(object, field, `key "${key}" must be a list`);
      merged[key] = [...value, ...asList(generated[key])];
    } else {
      merged[key] = value;
    }
  }
  for (const [key, value] of Object.entries(generated)) if (!(key in merged)) merged[key] = value;
  return merged;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** The document cloud-init reads: header line plus YAML 1.1 (so `yes`/`on`/`0644` strings stay strings). */
export function emitCloudConfig(config: CloudConfig): string {
  return `${CLOUD_CONFIG_HEADER}\n${emitYaml(config)}`;
}

/** YAML 1.1 text of `doc` (stringifyForCloudInit), through its byte-identical fast path for the usual shapes (yamlEmit.ts). */
export function emitYaml(doc: CloudConfig): string {
  return emitYamlFast(doc) ?? stringifyForCloudInit(doc);
}


/**
 * Parses YAML 1.1 into a map; on failure reports code and line only, because the text may hold
 * secrets (the join script) that a pretty error would quote.
 */
export function parseYamlMap(text: string): { value?: CloudConfig; problem?: string } {
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = text.slice(0, err.pos[0]).split('\n').length;
    return { problem: `line ${line}: ${err.code}` };
  }
  const value = documentValue(doc);
  if (value === UNRESOLVABLE) return { problem: UNRESOLVABLE };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not a YAML map' };
  return { value: value as CloudConfig };
}

const UNRESOLVABLE = 'an alias names no anchor set before it, or a merge key "<<" names no map';

/**
 * The document as JS. Some faults are found only here, and yaml's errors quote the document (an
 * alias's name), so the message is ours.
 */
function documentValue(doc: Document): unknown {
  try {
    return doc.toJS();
  } catch {
    return UNRESOLVABLE;
  }
}
