/**
 * kubectl's typed commands (`create namespace|secret|configmap|token`, `drain`'s evictions,
 * `auth can-i|whoami`) send protobuf bodies. This decodes that envelope (`k8s\0` + runtime.Unknown) for the few kinds those commands
 * send, so they work; anything else gets 415, and replies are always JSON (kubectl accepts JSON too).
 */
import { ApiError } from './status.js';

type Fields = Map<number, (Buffer | bigint)[]>;

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

/** Splits a message into field number -> values (varints as bigint, length-delimited as Buffer). */
function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    pos = p1;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: Buffer | bigint;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      value = buf.subarray(p2, p2 + Number(len));
      pos = p2 + Number(len);
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}

const str = (f: Fields, n: number) => (f.get(n)?.[0] as Buffer | undefined)?.toString('utf8');
const strs = (f: Fields, n: number) => (f.get(n) ?? []).map((b) => (b as Buffer).toString('utf8'));
const bool = (f: Fields, n: number) => (f.has(n) ? (f.get(n)![0] as bigint) !== 0n : undefined);
const sub = (f: Fields, n: number) => (f.has(n) ? fields(f.get(n)![0] as Buffer) : undefined);

function map(f: Fields, n: number, asBase64 = false): Record<string, string> | undefined {
  if (!f.has(n)) return undefined;
  const out: Record<string, string> = {};
  for (const entry of f.get(n)!) {
    const e = fields(entry as Buffer);
    const v = (e.get(2)?.[0] as Buffer | undefined) ?? Buffer.alloc(0);
    out[str(e, 1) ?? ''] = asBase64 ? v.toString('base64') : v.toString('utf8');
  }
  return out;
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

function objectMeta(f: Fields | undefined): Record<string, unknown> {
  if (!f) return {};
  return compact({ name: str(f, 1), generateName: str(f, 2), namespace: str(f, 3), labels: map(f, 11), annotations: map(f, 12), finalizers: strs(f, 14) });
}

const int = (f: Fields, n: number) => (f.has(n) ? Number(BigInt.asIntN(64, f.get(n)![0] as bigint)) : undefined);

/** metav1.DeleteOptions: gracePeriodSeconds, preconditions{uid, resourceVersion}, orphanDependents, propagationPolicy, dryRun. */
function deleteOptions(f: Fields | undefined): Record<string, unknown> | undefined {
  if (!f) return undefined;
  const pre = sub(f, 2);
  return compact({
    gracePeriodSeconds: int(f, 1), preconditions: pre ? compact({ uid: str(pre, 1), resourceVersion: str(pre, 2) }) : undefined,
    orphanDependents: bool(f, 3), propagationPolicy: str(f, 4), dryRun: strs(f, 5),
  });
}

/** authorization/v1 ResourceAttributes (1 namespace ... 7 name) or NonResourceAttributes (1 path, 2 verb). */
function resourceAttributes(f: Fields | undefined): Record<string, unknown> | undefined {
  return f ? compact({ namespace: str(f, 1), verb: str(f, 2), group: str(f, 3), version: str(f, 4), resource: str(f, 5), subresource: str(f, 6), name: str(f, 7) }) : undefined;
}

function accessReviewSpec(f: Fields | undefined): Record<string, unknown> | undefined {
  const non = f && sub(f, 2);
  return f ? compact({ resourceAttributes: resourceAttributes(sub(f, 1)), nonResourceAttributes: non ? compact({ path: str(non, 1), verb: str(non, 2) }) : undefined }) : undefined;
}

/** Keyed by apiVersion/kind. */
const DECODERS: Record<string, (f: Fields) => Record<string, unknown>> = {
  'policy/v1/Eviction': (f) => compact({ metadata: objectMeta(sub(f, 1)), deleteOptions: deleteOptions(sub(f, 2)) }),
  'v1/Namespace': (f) => compact({ metadata: objectMeta(sub(f, 1)), spec: sub(f, 2) ? compact({ finalizers: strs(sub(f, 2)!, 1) }) : undefined }),
  'v1/Secret': (f) => compact({ metadata: objectMeta(sub(f, 1)), data: map(f, 2, true), type: str(f, 3), stringData: map(f, 4), immutable: bool(f, 5) }),
  'authorization.k8s.io/v1/SelfSubjectAccessReview': (f) => compact({ metadata: objectMeta(sub(f, 1)), spec: accessReviewSpec(sub(f, 2)) }),
  'authorization.k8s.io/v1/SelfSubjectRulesReview': (f) => compact({ metadata: objectMeta(sub(f, 1)), spec: sub(f, 2) ? compact({ namespace: str(sub(f, 2)!, 1) }) : undefined }),
  'authentication.k8s.io/v1/SelfSubjectReview': (f) => compact({ metadata: objectMeta(sub(f, 1)) }),
  'authentication.k8s.io/v1/TokenRequest': (f) => compact({ metadata: objectMeta(sub(f, 1)), spec: sub(f, 2) ? compact({ audiences: strs(sub(f, 2)!, 1), expirationSeconds: int(sub(f, 2)!, 4) }) : undefined }),
  'v1/ConfigMap': (f) => compact({ metadata: objectMeta(sub(f, 1)), data: map(f, 2), binaryData: map(f, 3, true), immutable: bool(f, 4) }),
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new ApiError(400, 'BadRequest', 'protobuf body lacks the k8s envelope');
  try {
    const unknown = fields(body.subarray(4));
    const typeMeta = sub(unknown, 1);
    const apiVersion = typeMeta ? str(typeMeta, 1) : undefined;
    const kind = typeMeta ? str(typeMeta, 2) : undefined;
    const decode = DECODERS[`${apiVersion}/${kind}`];
    if (!decode) {
      throw new ApiError(415, 'UnsupportedMediaType', `protobuf is only understood for ${Object.keys(DECODERS).map((k) => k.replace(/\/(\w+)$/, ' $1')).join(', ')} (got ${apiVersion}/${kind}); send application/json`);
    }
    return { apiVersion, kind, ...decode(fields((unknown.get(2)?.[0] as Buffer) ?? Buffer.alloc(0))) };
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, 'BadRequest', `error decoding protobuf body: ${(e as Error).message}`);
  }
}
