/**
 * Metadata-only answers, as a real apiserver serves them to `Accept: application/json;as=PartialObjectMetadata;
 * g=meta.k8s.io;v=v1` on get, list, create, update and patch: the whole metadata, no data, spec or status.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeApiServer } from '../../../lab/kube/index.js';
import { apiFetch } from '../../support/apiFetch.js';
import { startWithWidgets, widget } from './helpers.js';

const METADATA = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const SECRETS = '/api/v1/namespaces/pom/secrets';
const WIDGETS = '/apis/example.com/v1/namespaces/pom/widgets';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, read field by field
type Json = Record<string, any>;

let server: KubeApiServer;

beforeAll(async () => {
  server = (await startWithWidgets()).server;
  await call('POST', '/api/v1/namespaces', { metadata: { name: 'pom' } });
});
afterAll(async () => server.close());

async function call(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<{ status: number; json: Json }> {
  const res = await apiFetch(server, path, {
    method,
    headers: { Accept: accept, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

const secret = (name: string) => ({ metadata: { name, labels: { app: 'pom' }, annotations: { note: 'n' } }, data: { userData: Buffer.from('#cloud-config\n').toString('base64') } });

describe('PartialObjectMetadata answers', () => {
  it('answers a create with the new object\'s metadata only', async () => {
    const { status, json } = await call('POST', SECRETS, secret('created'), METADATA);
    expect(status).toBe(201);
    expect(json).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: expect.objectContaining({ name: 'created', namespace: 'pom', labels: { app: 'pom' }, annotations: { note: 'n' } }) });
    expect(json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(json.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(json.metadata.managedFields).toHaveLength(1);
  });

  it('answers a get with the same metadata a full get carries, and no data', async () => {
    await call('POST', SECRETS, secret('read'));
    const full = await call('GET', `${SECRETS}/read`);
    const meta = await call('GET', `${SECRETS}/read`, undefined, METADATA);
    expect(meta.status).toBe(200);
    expect(meta.json).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: full.json.metadata });
    expect(full.json.data).toBeDefined();
  });

  it('answers an update and a patch of a custom resource with metadata only, the write done in full', async () => {
    const created = await call('POST', WIDGETS, { ...widget('w', { size: 2 }) });
    const put = await call('PUT', `${WIDGETS}/w`, { ...created.json, spec: { size: 3 } }, METADATA);
    expect(put.status).toBe(200);
    expect(put.json.kind).toBe('PartialObjectMetadata');
    expect(put.json.spec).toBeUndefined();
    expect(put.json.metadata.generation).toBe(2);
    const res = await apiFetch(server, `${WIDGETS}/w`, { method: 'PATCH', headers: { Accept: METADATA, 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { p: 'q' } } }) });
    const patched = (await res.json()) as Json;
    expect([res.status, patched.kind, patched.metadata.labels]).toEqual([200, 'PartialObjectMetadata', { p: 'q' }]);
    expect((await call('GET', `${WIDGETS}/w`)).json.spec).toEqual({ size: 3, color: 'red' });
  });

  it('answers a stale update with the usual 409 Conflict Status', async () => {
    const created = await call('POST', WIDGETS, widget('stale', { size: 1 }));
    await call('PUT', `${WIDGETS}/stale`, { ...created.json, spec: { size: 4 } });
    const { status, json } = await call('PUT', `${WIDGETS}/stale`, { ...created.json, spec: { size: 5 } }, METADATA);
    expect([status, json.kind, json.reason]).toEqual([409, 'Status', 'Conflict']);
  });

  it('answers a list as PartialObjectMetadataList, v1beta1 when asked for it', async () => {
    const { status, json } = await call('GET', `${SECRETS}?labelSelector=app%3Dpom`, undefined, 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1');
    expect([status, json.kind, json.apiVersion]).toEqual([200, 'PartialObjectMetadataList', 'meta.k8s.io/v1beta1']);
    expect(json.items.length).toBeGreaterThanOrEqual(2);
    for (const item of json.items) expect(Object.keys(item).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(Number(json.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it('keeps the full object for any other Accept', async () => {
    const { json } = await call('GET', `${SECRETS}/read`, undefined, 'application/json;as=Something;g=meta.k8s.io;v=v1, application/json');
    expect(json.kind).toBe('Secret');
    expect(json.data).toBeDefined();
  });
});

describe('a main-resource PUT of a custom resource with a status subresource', () => {
  it('keeps the stored status when the body carries none', async () => {
    await call('POST', WIDGETS, widget('nostatus', { size: 1 }));
    const withStatus = await call('PUT', `${WIDGETS}/nostatus/status`, { ...(await call('GET', `${WIDGETS}/nostatus`)).json, status: { state: 'ready', count: 2 } });
    const { status: _dropped, ...body } = withStatus.json;
    const put = await call('PUT', `${WIDGETS}/nostatus`, { ...body, spec: { size: 9 } });
    expect(put.status).toBe(200);
    expect(put.json.status).toEqual({ state: 'ready', count: 2 });
    expect(put.json.spec.size).toBe(9);
  });
});
