import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { validateAgainstSchema, type KubeApiServer, type Schema } from '../../../lab/kube/index.js';
import { defaultAndPrune } from '../../../common/schemaValidate.js';
import { failure, merge, ns, startWithWidgets, widget, type Clients } from './helpers.js';
import { apiFetch } from '../../support/apiFetch.js';

describe('validateAgainstSchema', () => {
  const schema: Schema = {
    type: 'object',
    required: ['online'],
    properties: {
      online: { type: 'boolean' },
      image: { type: 'object', properties: { checksumType: { type: 'string', enum: ['md5', 'sha256', 'sha512'] } } },
      count: { type: 'integer', minimum: 0, maximum: 10 },
      name: { type: 'string', pattern: '^[a-z]+$' },
      port: { 'x-kubernetes-int-or-string': true },
      maybe: { type: 'string', nullable: true },
      list: { type: 'array', items: { type: 'string' } },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    },
  };

  it('names each offending field with the real messages', () => {
    const causes = validateAgainstSchema(schema, { image: { checksumType: 'sha1' }, count: 11, name: 'A1', port: true, maybe: null, list: ['a', 3], labels: { a: 1 } }, 'spec');
    expect(causes.map((c) => `${c.field}: ${c.message}`)).toEqual([
      'spec.online: Required value',
      'spec.image.checksumType: Unsupported value: "sha1": supported values: "md5", "sha256", "sha512"',
      'spec.count: Invalid value: 11: spec.count in body should be less than or equal to 10',
      'spec.name: Invalid value: "A1": spec.name in body should match \'^[a-z]+$\'',
      'spec.port: Invalid value: true: spec.port in body must be of type integer,string: "boolean"',
      'spec.list[1]: Invalid value: 3: spec.list[1] in body must be of type string: "integer"',
      'spec.labels.a: Invalid value: 1: spec.labels.a in body must be of type string: "integer"',
    ]);
  });

  it('accepts every value that fits the schema', () => {
    fc.assert(fc.property(
      fc.record({ online: fc.boolean(), count: fc.integer({ min: 0, max: 10 }), name: fc.stringMatching(/^[a-z]{1,8}$/), port: fc.oneof(fc.integer(), fc.string()), maybe: fc.option(fc.string(), { nil: null }) }),
      (v) => validateAgainstSchema(schema, v).length === 0,
    ));
  });

  it('fills defaults and prunes unknown fields except under preserve-unknown-fields', () => {
    const s: Schema = { type: 'object', properties: { a: { type: 'string', default: 'x' }, keep: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
    expect(defaultAndPrune(s, { b: 1, keep: { anything: [1] } })).toEqual({ a: 'x', keep: { anything: [1] } });
  });

  it('never prunes root metadata, even when the schema declares it (as controller-gen CRDs do)', () => {
    const s: Schema = { type: 'object', properties: { metadata: { type: 'object' }, spec: { type: 'object', properties: { a: { type: 'string' } } } } };
    const obj = { metadata: { name: 'h1', namespace: 'ns', uid: 'u', labels: { x: 'y' } }, spec: { a: 'v', junk: 1 } };
    expect(defaultAndPrune(s, obj, ['apiVersion', 'kind', 'metadata'])).toEqual({ metadata: obj.metadata, spec: { a: 'v' } });
  });
});

describe('schema validation over HTTP', () => {
  let server: KubeApiServer;
  let c: Clients;
  beforeAll(async () => {
    const s = await startWithWidgets();
    server = s.server;
    c = s;
  });
  afterAll(async () => server.close());

  it('answers 422 Invalid with causes naming the field', async () => {
    const bad = await failure(c.custom.createNamespacedCustomObject({ ...ns('default'), body: widget('bad', { color: 'green', size: 0 }) }));
    expect([bad.code, bad.reason]).toEqual([422, 'Invalid']);
    expect(bad.details?.causes?.map((x) => x.field).sort()).toEqual(['spec.color', 'spec.size']);
    expect(bad.message).toContain('Widget.example.com "bad" is invalid: ');
    expect(bad.message).toContain('spec.color: Unsupported value: "green": supported values: "red", "blue"');
    const missing = await failure(c.custom.createNamespacedCustomObject({ ...ns('default'), body: widget('bad2', {}) }));
    expect(missing.details?.causes).toEqual([{ field: 'spec.size', reason: 'FieldValueRequired', message: 'Required value' }]);
  });

  it('validates updates and status writes too', async () => {
    await c.custom.createNamespacedCustomObject({ ...ns('default'), body: widget('ok', { size: 1 }) });
    const upd = await failure(c.custom.patchNamespacedCustomObjectStatus({ ...ns('default'), name: 'ok', body: [{ op: 'add', path: '/status', value: { count: 'many' } }] }));
    expect(upd.details?.causes?.[0].field).toBe('status.count');
  });

  it('prunes unknown fields with a Warning by default, and rejects them with fieldValidation=Strict', async () => {
    const post = (query: string, name: string) => apiFetch(server, `/apis/example.com/v1/namespaces/default/widgets${query}`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(widget(name, { size: 1, junk: 1, extra: { kept: true } })),
    });
    const warned = await post('', 'warned');
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toContain('unknown field \\"spec.junk\\"');
    expect(((await warned.json()) as { spec: unknown }).spec).toEqual({ size: 1, color: 'red', extra: { kept: true } });
    const strict = await post('?fieldValidation=Strict', 'strict');
    expect(strict.status).toBe(400);
    expect(((await strict.json()) as { message: string }).message).toContain('strict decoding error: unknown field "spec.junk"');
  });

  it('keeps immutable Secrets immutable', async () => {
    await c.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'frozen' }, immutable: true, stringData: { a: 'b' } } });
    const e = await failure(c.core.patchNamespacedSecret({ name: 'frozen', namespace: 'default', body: { stringData: { a: 'c' } } }, merge));
    expect([e.code, e.details?.causes?.[0].field]).toEqual([422, 'data']);
  });

  it('validates label keys and values like the real API', async () => {
    const e = await failure(c.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'labelled', labels: { ok: 'fine', bad: 'has space' } } } }));
    expect([e.code, e.details?.causes?.map((x) => x.field)]).toEqual([422, ['metadata.labels']]);
    expect(e.message).toContain('"has space"');
    await c.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'labelled', labels: { 'metal3.vcluster.com/node-claim': 'abc-123', empty: '' } } } });
  });
});
