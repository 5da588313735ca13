/** The patch formats: RFC 6902 JSON patch, RFC 7386 merge patch, and an approximation of strategic merge patch. */
import { ApiError } from './status.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// --- JSON patch ---------------------------------------------------------------------------

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new ApiError(422, 'Invalid', `json patch path ${JSON.stringify(p)} must start with "/"`);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[], p: string): { parent: Obj | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObj(cur) ? cur[t] : undefined;
    if (cur === undefined) throw new ApiError(422, 'Invalid', `jsonpatch: path ${JSON.stringify(p)}: missing value`);
  }
  if (!isObj(cur) && !Array.isArray(cur)) throw new ApiError(422, 'Invalid', `jsonpatch: path ${JSON.stringify(p)}: parent is not a container`);
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function read(doc: unknown, p: string): unknown {
  let cur = doc;
  for (const t of pointer(p)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObj(cur) ? cur[t] : undefined;
    if (cur === undefined) throw new ApiError(422, 'Invalid', `jsonpatch: path ${JSON.stringify(p)}: missing value`);
  }
  return cur;
}

function arrayIndex(arr: unknown[], key: string, forInsert: boolean, p: string): number {
  if (key === '-' && forInsert) return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forInsert && i === arr.length)) {
    throw new ApiError(422, 'Invalid', `jsonpatch: path ${JSON.stringify(p)}: index out of range`);
  }
  return i;
}

function add(doc: unknown, p: string, value: unknown): unknown {
  const tokens = pointer(p);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, p);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, p), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, p: string): unknown {
  const tokens = pointer(p);
  const { parent, key } = parentOf(doc, tokens, p);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false, p), 1);
  else {
    if (!(key in parent)) throw new ApiError(422, 'Invalid', `jsonpatch: remove of missing path ${JSON.stringify(p)}`);
    delete parent[key];
  }
  return doc;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'json patch body must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops as Op[]) {
    switch (raw.op) {
      case 'add': doc = add(doc, raw.path, structuredClone(raw.value)); break;
      case 'remove': doc = remove(doc, raw.path); break;
      case 'replace': read(doc, raw.path); doc = add(remove(doc, raw.path), raw.path, structuredClone(raw.value)); break;
      case 'move': { const v = read(doc, raw.from!); doc = add(remove(doc, raw.from!), raw.path, v); break; }
      case 'copy': doc = add(doc, raw.path, structuredClone(read(doc, raw.from!))); break;
      case 'test':
        if (JSON.stringify(read(doc, raw.path)) !== JSON.stringify(raw.value)) {
          throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${raw.path} failed`);
        }
        break;
      default: throw new ApiError(422, 'Invalid', `jsonpatch: unexpected op ${JSON.stringify(raw.op)}`);
    }
  }
  return doc;
}

// --- strategic merge (approximation) -----------------------------------------------------

/** Merge keys of the well-known lists; lists of objects all carrying `name` merge by name too. */
const MERGE_KEYS: Record<string, string> = {
  conditions: 'type', ownerReferences: 'uid', ports: 'containerPort', addresses: 'type', taints: 'key', volumeMounts: 'mountPath',
};
const PRIMITIVE_MERGE_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, patchList: unknown[]): string | undefined {
  if (MERGE_KEYS[field]) return MERGE_KEYS[field];
  if (patchList.length > 0 && patchList.every((i) => isObj(i) && typeof i.name === 'string')) return 'name';
  return undefined;
}

export function strategicMergePatch(target: unknown, patch: unknown, field = ''): unknown {
  if (Array.isArray(patch)) return mergeList(target, patch, field);
  if (!isObj(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k.startsWith('$retainKeys') || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = (out[f] as unknown[]).filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v, k);
  }
  return out;
}

function mergeList(target: unknown, patch: unknown[], field: string): unknown {
  const current = Array.isArray(target) ? [...target] : [];
  if (PRIMITIVE_MERGE_LISTS.has(field)) return [...current, ...patch.filter((x) => !current.includes(x))];
  const key = mergeKeyFor(field, patch);
  if (!key) return structuredClone(patch);
  for (const item of patch as Obj[]) {
    const idx = current.findIndex((c) => isObj(c) && c[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (idx >= 0) current.splice(idx, 1);
    } else if (idx >= 0) current[idx] = strategicMergePatch(current[idx], item, '');
    else current.push(strategicMergePatch(undefined, item, ''));
  }
  return current;
}
