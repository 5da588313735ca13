/**
 * Server-side apply (application/apply-patch+yaml), coarse: ownership by leaf path; lists are atomic
 * unless the schema declares them list-maps.
 * A field owned by another manager and applied with a different value is a conflict unless force.
 */
import { parse as parseYaml } from 'yaml';
import { ApiError, decodeFailure, type Cause } from './status.js';
import { noListKeys, overlay, type ListKeys } from './listMaps.js';
import { displayPath, leafValues, overlaps, readOwnership, removeAt, valueAt, writeOwnership } from './managedFields.js';
import type { KubeObject } from './types.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);


export function parseApplyBody(raw: string): KubeObject {
  let body: unknown;
  try {
    body = parseYaml(raw);
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `error decoding YAML: ${decodeFailure(e)}`);
  }
  if (!isObj(body)) throw new ApiError(400, 'BadRequest', 'apply patch body must be an object');
  return body as unknown as KubeObject;
}

export interface ApplyInput {
  current: KubeObject | undefined;
  applied: KubeObject;
  manager: string;
  force: boolean;
  subresource?: string;
  now: string;
  /** For conflict messages. */
  describe: string;
  listKeys?: ListKeys;
}

/** The object after applying `applied` as `manager` (metadata.managedFields updated); throws 409 on conflicts. */
export function serverSideApply(input: ApplyInput): KubeObject {
  const { current, applied, manager, force, subresource } = input;
  const owners = readOwnership(current);
  const listKeys = input.listKeys ?? noListKeys;
  const appliedLeaves = leafValues(applied, listKeys);
  const conflicts: Cause[] = [];
  for (const other of owners) {
    if (other.manager === manager && other.operation === 'Apply') continue;
    for (const owned of other.paths) {
      for (const [p, v] of appliedLeaves) {
        if (!overlaps(owned, p)) continue;
        if (JSON.stringify(valueAt(current, p)) === JSON.stringify(v)) continue;
        conflicts.push({ field: displayPath(p), reason: 'FieldManagerConflict', message: `conflict with "${other.manager}"${other.operation === 'Update' ? ' using ' + (current?.apiVersion ?? '') : ''}` });
        if (force) other.paths.delete(owned);
      }
    }
  }
  if (conflicts.length && !force) {
    throw new ApiError(409, 'Conflict', `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${conflicts.map((c) => `${c.message}: ${c.field}`).join(', ')}`, { name: input.describe, causes: conflicts });
  }
  let mine = owners.find((o) => o.manager === manager && o.operation === 'Apply' && o.subresource === subresource);
  const previouslyMine = mine ? new Set(mine.paths) : new Set<string>();
  const result = overlay(current ?? {}, applied, listKeys) as KubeObject;
  // Fields this manager applied before, no longer applies, and nobody else owns are removed.
  for (const p of previouslyMine) {
    if (appliedLeaves.has(p)) continue;
    const ownedElsewhere = owners.some((o) => o !== mine && [...o.paths].some((q) => overlaps(p, q)));
    if (!ownedElsewhere) removeAt(result as unknown as Record<string, unknown>, p);
  }
  if (!mine) {
    mine = { manager, operation: 'Apply', subresource, paths: new Set() };
    owners.push(mine);
  }
  mine.paths = new Set(appliedLeaves.keys());
  for (const o of owners) if (o !== mine) for (const p of [...o.paths]) if (mine.paths.has(p) && force) o.paths.delete(p);
  result.metadata = { ...(result.metadata ?? {}) };
  const entries = writeOwnership(owners, result.apiVersion, input.now);
  if (entries.length) result.metadata.managedFields = entries;
  else delete result.metadata.managedFields;
  return result;
}
