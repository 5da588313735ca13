/**
 * Structural-schema checks as kube-apiserver applies them to custom resources: validation with
 * field-named causes, `default:` values, and pruning of unknown fields. Reused by the host
 * platform to validate plugin configuration against a manifest schema.
 */
/** One field-named problem, as in `metav1.StatusCause`. */
export interface Cause {
  field: string;
  reason: string;
  message: string;
}

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  default?: unknown;
  format?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  [k: string]: unknown;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : v === null ? '"null"' : JSON.stringify(v);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function typeMatches(type: string, v: unknown): boolean {
  const t = typeOf(v);
  if (type === 'number') return t === 'number' || t === 'integer';
  return t === type;
}

/**
 * What a caller whose values are never mutated once checked (the lab API's stored objects) lets the checks
 * remember: subtrees already defaulted and pruned under a schema node (walking them again returns them
 * as they are) and subtrees found valid under one (no causes again). An update that keeps a stored
 * subtree, such as the status a main-resource PUT keeps, is then not walked twice. Weak: forgets
 * with the objects.
 */
export class SchemaMemo {
  /** Subtree -> the schema node it is settled under (one node per subtree in practice; a second one replaces it). */
  private readonly settled = new WeakMap<object, Schema>();
  private readonly valid = new WeakMap<object, Schema>();

  isSettled(schema: Schema, value: object): boolean {
    return this.settled.get(value) === schema;
  }

  settle(schema: Schema, value: object): void {
    this.settled.set(value, schema);
  }

  isValid(schema: Schema, value: object): boolean {
    return this.valid.get(value) === schema;
  }

  markValid(schema: Schema, value: object): void {
    this.valid.set(value, schema);
  }
}

const isNode = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** Validates `value` at `path` against `schema`; returns one cause per problem, each naming its field. */
export function validateAgainstSchema(schema: Schema, value: unknown, path = '', memo?: SchemaMemo): Cause[] {
  const causes: Cause[] = [];
  check(schema, value, path, causes, memo);
  return causes;
}

function invalid(causes: Cause[], path: string, value: unknown, detail: string): void {
  causes.push({ field: path, reason: 'FieldValueInvalid', message: `Invalid value: ${show(value)}: ${detail}` });
}

function check(schema: Schema, value: unknown, path: string, causes: Cause[], memo?: SchemaMemo): void {
  if (memo && isNode(value)) {
    if (memo.isValid(schema, value)) return;
    const before = causes.length;
    checkNode(schema, value, path, causes, memo);
    // An enum compares the whole value, fields the schema does not describe included: not remembered.
    if (causes.length === before && schema.enum === undefined) memo.markValid(schema, value);
    return;
  }
  checkNode(schema, value, path, causes, memo);
}

function checkNode(schema: Schema, value: unknown, path: string, causes: Cause[], memo: SchemaMemo | undefined): void {
  const at = path || 'body';
  if (value === null) {
    if (!schema.nullable && schema.type && !schema['x-kubernetes-preserve-unknown-fields']) {
      invalid(causes, path, null, `${at} in body must be of type ${schema.type}: "null"`);
    }
    return;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (typeOf(value) !== 'integer' && typeof value !== 'string') {
      invalid(causes, path, value, `${at} in body must be of type integer,string: ${show(typeOf(value))}`);
      return;
    }
  } else if (schema.type && !typeMatches(schema.type, value)) {
    invalid(causes, path, value, `${at} in body must be of type ${schema.type}: ${show(typeOf(value))}`);
    return;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    causes.push({
      field: path,
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${show(value)}: supported values: ${schema.enum.map((e) => show(e)).join(', ')}`,
    });
  }
  if (typeof value === 'string') checkString(schema, value, path, causes);
  if (typeof value === 'number') checkNumber(schema, value, path, causes);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) invalid(causes, path, value.length, `${at} in body should have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) causes.push({ field: path, reason: 'FieldValueTooMany', message: `Too many: ${value.length}: must have at most ${schema.maxItems} items` });
    if (schema.items) value.forEach((item, i) => check(schema.items!, item, `${path}[${i}]`, causes, memo));
  }
  if (typeOf(value) === 'object') checkObject(schema, value as Record<string, unknown>, path, causes, memo);
}

function checkString(schema: Schema, value: string, path: string, causes: Cause[]): void {
  const at = path || 'body';
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
    invalid(causes, path, value, `${at} in body should match '${schema.pattern}'`);
  }
  if (schema.minLength !== undefined && [...value].length < schema.minLength) {
    invalid(causes, path, value, `${at} in body should be at least ${schema.minLength} chars long`);
  }
  if (schema.maxLength !== undefined && [...value].length > schema.maxLength) {
    causes.push({ field: path, reason: 'FieldValueTooLong', message: `Too long: may not be more than ${schema.maxLength} bytes` });
  }
}

function checkNumber(schema: Schema, value: number, path: string, causes: Cause[]): void {
  const at = path || 'body';
  if (schema.minimum !== undefined) {
    const bad = schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum;
    if (bad) invalid(causes, path, value, `${at} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`);
  }
  if (schema.maximum !== undefined) {
    const bad = schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum;
    if (bad) invalid(causes, path, value, `${at} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`);
  }
}

function checkObject(schema: Schema, value: Record<string, unknown>, path: string, causes: Cause[], memo: SchemaMemo | undefined): void {
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) causes.push({ field: join(path, key), reason: 'FieldValueRequired', message: 'Required value' });
  }
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const prop = schema.properties?.[key];
    if (prop) check(prop, v, join(path, key), causes, memo);
    else if (typeof schema.additionalProperties === 'object') check(schema.additionalProperties, v, join(path, key), causes, memo);
  }
}

/**
 * Returns a copy of `value` with `default:` values filled in and unknown fields removed (unless a
 * node says x-kubernetes-preserve-unknown-fields). `keepAtRoot` names fields never pruned at the top;
 * the dotted paths of pruned fields are appended to `pruned` when given.
 */
export function defaultAndPrune(schema: Schema, value: unknown, keepAtRoot: string[] = [], pruned?: string[], memo?: SchemaMemo): unknown {
  return walk(schema, value, keepAtRoot, '', pruned, memo);
}

/** Whether walking `v` under `schema` again gives `v` back unchanged (so the node holding it may be remembered). */
function isFixpoint(schema: Schema, v: unknown, memo: SchemaMemo): boolean {
  return !isNode(v) || memo.isSettled(schema, v) || (Array.isArray(v) && !schema.items);
}

function walk(schema: Schema, value: unknown, keep: string[], path: string, pruned: string[] | undefined, memo: SchemaMemo | undefined): unknown {
  if (memo && keep.length === 0 && isNode(value) && memo.isSettled(schema, value)) return value;
  if (Array.isArray(value)) {
    // With a memo the list is copied: it becomes part of a remembered node, and the caller's may change.
    if (!schema.items) return memo ? [...value] : value;
    const items = value.map((v, i) => walk(schema.items!, v, [], `${path}[${i}]`, pruned, memo));
    if (memo && items.every((v) => isFixpoint(schema.items!, v, memo))) memo.settle(schema, items);
    return items;
  }
  if (typeOf(value) !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  const hasStructure = schema.properties !== undefined || schema.additionalProperties !== undefined;
  let settled = keep.length === 0;
  const into = (key: string, sub: Schema, v: unknown) => {
    const w = walk(sub, v, [], join(path, key), pruned, memo);
    if (settled && memo && !isFixpoint(sub, w, memo)) settled = false;
    out[key] = w;
  };
  for (const [key, v] of Object.entries(obj)) {
    const prop = schema.properties?.[key];
    // Root keep-listed fields (apiVersion, kind, metadata) are never pruned, even when the schema
    // declares them (controller-gen emits `metadata: {type: object}`): the real API keeps ObjectMeta whole.
    if (keep.includes(key)) out[key] = v;
    else if (prop) into(key, prop, v);
    else if (typeof schema.additionalProperties === 'object') into(key, schema.additionalProperties, v);
    else if (schema.additionalProperties === true || preserve || keep.includes(key) || (embedded && ['apiVersion', 'kind', 'metadata'].includes(key))) out[key] = v;
    else if (!hasStructure && schema.type !== 'object') out[key] = v;
    else pruned?.push(join(path, key));
  }
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (out[key] === undefined && prop.default !== undefined) {
      out[key] = structuredClone(prop.default);
      settled = false; // a default is not walked: the next walk would
    }
  }
  if (memo && settled) memo.settle(schema, out);
  return out;
}
