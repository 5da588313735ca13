/**
 * `/openapi/v2`: the swagger 2.0 document with every served kind's schema in `definitions`, tagged with
 * `x-kubernetes-group-version-kind`. kubectl asks for it as protobuf (gnostic's openapi_v2.Document,
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) when it validates client-side; other clients
 * get JSON. The encoder writes only the Document/Schema fields a schema here uses (field numbers from
 * gnostic's OpenAPIv2.proto); vendor extensions, defaults and enums travel as YAML in `Any.yaml`, as gnostic does.
 */
import { stringify } from 'yaml';
import { asDefinitions, componentSchemas } from './openapiSchemas.js';
import type { ResourceRegistry } from './registry.js';
import type { JsonObject } from './types.js';

/** What kubectl puts in Accept (the `@` form) and what the reply's Content-Type says (kube-openapi's two spellings). */
export const OPENAPI_V2_PROTOBUF_ACCEPT = /application\/com\.github\.proto-openapi\.spec\.v2[@.]v1\.0\+protobuf/;
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export function openApiV2(registry: ResourceRegistry): JsonObject {
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: {},
    definitions: asDefinitions(componentSchemas(registry.all())),
  };
}

/** Protobuf writer: fields appended in order, nested messages length-delimited. */
class Writer {
  private readonly parts: Buffer[] = [];

  private varint(n: number | bigint): void {
    let v = BigInt(n);
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      bytes.push(b);
    } while (v > 0n);
    this.parts.push(Buffer.from(bytes));
  }

  private key(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  string(field: number, s: string | undefined): this {
    if (s === undefined || s === '') return this;
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  bytes(field: number, b: Buffer): this {
    this.key(field, 2);
    this.varint(b.length);
    this.parts.push(b);
    return this;
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  int(field: number, n: unknown): this {
    if (typeof n !== 'number') return this;
    this.key(field, 0);
    this.varint(Math.trunc(n));
    return this;
  }

  double(field: number, n: unknown): this {
    if (typeof n !== 'number') return this;
    this.key(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(n);
    this.parts.push(b);
    return this;
  }

  bool(field: number, v: unknown): this {
    if (v !== true) return this;
    this.key(field, 0);
    this.varint(1);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** gnostic `Any`: the value as YAML (field 2). */
const anyOf = (value: unknown) => new Writer().string(2, stringify(value).trimEnd());

function schemaMessage(s: JsonObject): Writer {
  const w = new Writer()
    .string(1, s.$ref as string | undefined)
    .string(2, s.format as string | undefined)
    .string(3, s.title as string | undefined)
    .string(4, s.description as string | undefined);
  if (s.default !== undefined) w.message(5, anyOf(s.default));
  w.double(6, s.multipleOf).double(7, s.maximum).bool(8, s.exclusiveMaximum).double(9, s.minimum).bool(10, s.exclusiveMinimum)
    .int(11, s.maxLength).int(12, s.minLength).string(13, s.pattern as string | undefined)
    .int(14, s.maxItems).int(15, s.minItems).bool(16, s.uniqueItems).int(17, s.maxProperties).int(18, s.minProperties);
  for (const r of (s.required as string[] | undefined) ?? []) w.string(19, r);
  for (const e of (s.enum as unknown[] | undefined) ?? []) w.message(20, anyOf(e));
  const extra = s.additionalProperties;
  if (typeof extra === 'boolean') w.message(21, new Writer().bool(2, extra));
  else if (extra && typeof extra === 'object') w.message(21, new Writer().message(1, schemaMessage(extra as JsonObject)));
  if (typeof s.type === 'string') w.message(22, new Writer().string(1, s.type));
  if (s.items && typeof s.items === 'object') w.message(23, new Writer().message(1, schemaMessage(s.items as JsonObject)));
  for (const sub of (s.allOf as JsonObject[] | undefined) ?? []) w.message(24, schemaMessage(sub));
  if (s.properties && typeof s.properties === 'object') {
    const props = new Writer();
    for (const [name, p] of Object.entries(s.properties as Record<string, JsonObject>)) {
      props.message(1, new Writer().string(1, name).message(2, schemaMessage(p)));
    }
    w.message(25, props);
  }
  for (const [name, value] of Object.entries(s)) {
    if (name.startsWith('x-')) w.message(31, new Writer().string(1, name).message(2, anyOf(value)));
  }
  return w;
}

/** The document as gnostic's openapi_v2.Document protobuf. */
export function openApiV2Protobuf(doc: JsonObject): Buffer {
  const info = doc.info as { title: string; version: string };
  const definitions = new Writer();
  for (const [name, schema] of Object.entries(doc.definitions as Record<string, JsonObject>)) {
    definitions.message(1, new Writer().string(1, name).message(2, schemaMessage(schema)));
  }
  return new Writer()
    .string(1, doc.swagger as string)
    .message(2, new Writer().string(1, info.title).string(2, info.version))
    .message(8, new Writer())
    .message(9, definitions)
    .finish();
}
