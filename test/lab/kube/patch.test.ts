import { describe, expect, it } from '@jest/globals';
import type * as k8s from '@kubernetes/client-node';
import { apply, failure, jsonPatch, merge, ns, useWidgetsServer, strategic, widget } from './helpers.js';
import { apiFetch } from '../../support/apiFetch.js';

type Obj = { metadata: k8s.V1ObjectMeta; spec?: Record<string, unknown>; status?: Record<string, unknown> };

const c = useWidgetsServer();
const api = ns('default');

describe('PATCH by content type', () => {
  it('applies RFC 6902 JSON patch operations, and fails a test op with 422', async () => {
    await c.custom.createNamespacedCustomObject({ ...api, body: widget('jp', { size: 1, parts: [{ name: 'a' }] }) });
    const out = (await c.custom.patchNamespacedCustomObject({ ...api, name: 'jp', body: [
      { op: 'test', path: '/spec/size', value: 1 },
      { op: 'replace', path: '/spec/size', value: 2 },
      { op: 'add', path: '/spec/parts/-', value: { name: 'b' } },
      { op: 'copy', from: '/spec/parts/0', path: '/spec/parts/0' },
      { op: 'remove', path: '/spec/parts/0' },
      { op: 'add', path: '/spec/tags', value: { 'a~b/c': 'x' } },
      { op: 'move', from: '/spec/tags/a~0b~1c', path: '/spec/tags/moved' },
      { op: 'add', path: '/metadata/labels', value: { tier: 'gpu' } },
      { op: 'move', from: '/metadata/labels', path: '/metadata/annotations' },
    ] }, jsonPatch)) as Obj;
    expect(out.spec).toMatchObject({ size: 2, parts: [{ name: 'a' }, { name: 'b' }] });
    expect(out.spec?.tags).toEqual({ moved: 'x' });
    expect(out.metadata.annotations).toEqual({ tier: 'gpu' });
    expect(out.metadata.labels).toBeUndefined();
    const failed = await failure(c.custom.patchNamespacedCustomObject({ ...api, name: 'jp', body: [{ op: 'test', path: '/spec/size', value: 9 }] }, jsonPatch));
    expect(failed.code).toBe(422);
  });

  it('applies RFC 7386 merge patch: null deletes, objects merge, lists replace', async () => {
    await c.custom.createNamespacedCustomObject({ ...api, body: widget('mp', { size: 1, online: true, parts: [{ name: 'a' }], tags: { x: '1', y: '2' } }) });
    const out = (await c.custom.patchNamespacedCustomObject({ ...api, name: 'mp', body: { spec: { online: null, parts: [{ name: 'z' }], tags: { y: null, w: '3' } } } }, merge)) as Obj;
    expect(out.spec).toEqual({ size: 1, color: 'red', parts: [{ name: 'z' }], tags: { x: '1', w: '3' } });
  });

  it('treats a resourceVersion in a patch body as a precondition', async () => {
    const cur = (await c.custom.getNamespacedCustomObject({ ...api, name: 'mp' })) as Obj;
    await c.custom.patchNamespacedCustomObject({ ...api, name: 'mp', body: { metadata: { resourceVersion: cur.metadata.resourceVersion }, spec: { size: 5 } } }, merge);
    const stale = await failure(c.custom.patchNamespacedCustomObject({ ...api, name: 'mp', body: { metadata: { resourceVersion: cur.metadata.resourceVersion }, spec: { size: 6 } } }, merge));
    expect([stale.code, stale.reason]).toEqual([409, 'Conflict']);
  });

  it('merges lists by key in strategic merge patch for built-ins, and answers 415 for custom resources', async () => {
    await c.core.createNode({ body: { metadata: { name: 'n1' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'DiskPressure', status: 'False' }] } } });
    const n = await c.core.patchNodeStatus({ name: 'n1', body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } }, strategic);
    expect(n.status?.conditions?.map((x) => `${x.type}=${x.status}`)).toEqual(['Ready=True', 'DiskPressure=False']);
    const t = await c.core.patchNode({ name: 'n1', body: { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] }, metadata: { finalizers: ['x/y'] } } }, strategic);
    expect(t.spec?.taints?.map((x) => x.key)).toEqual(['a', 'b']);
    const cr = await failure(c.custom.patchNamespacedCustomObject({ ...api, name: 'mp', body: { spec: { size: 2 } } }, strategic));
    expect([cr.code, cr.reason]).toEqual([415, 'UnsupportedMediaType']);
  });

  it('rejects unknown patch content types with 415', async () => {
    const res = await apiFetch(c.server, '/apis/example.com/v1/namespaces/default/widgets/mp', { method: 'PATCH', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
  });

  it('applies patches to /status', async () => {
    const out = (await c.custom.patchNamespacedCustomObjectStatus({ ...api, name: 'mp', body: [{ op: 'add', path: '/status', value: { state: 'up' } }] }, jsonPatch)) as Obj;
    expect(out.status).toEqual({ state: 'up' });
  });
});

describe('server-side apply', () => {
  const body = (spec: Record<string, unknown>, labels?: Record<string, string>) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'ssa', ...(labels ? { labels } : {}) }, spec });

  it('requires a fieldManager', async () => {
    const res = await apiFetch(c.server, '/apis/example.com/v1/namespaces/default/widgets/ssa', { method: 'PATCH', headers: { 'Content-Type': 'application/apply-patch+yaml' }, body: 'spec: {size: 1}' });
    expect(res.status).toBe(400);
  });

  it('creates when absent, records managedFields, and removes fields the manager stops applying', async () => {
    const created = (await c.custom.patchNamespacedCustomObject({ ...api, name: 'ssa', body: body({ size: 1, online: true }, { team: 'a' }), fieldManager: 'alice' }, apply)) as Obj;
    expect(created.spec).toMatchObject({ size: 1, online: true });
    expect(created.metadata.managedFields?.map((m) => [m.manager, m.operation])).toEqual([['alice', 'Apply']]);
    expect(created.metadata.managedFields?.[0].fieldsV1).toMatchObject({ 'f:spec': { 'f:size': {}, 'f:online': {} } });
    const next = (await c.custom.patchNamespacedCustomObject({ ...api, name: 'ssa', body: body({ size: 1 }), fieldManager: 'alice' }, apply)) as Obj;
    expect(next.spec?.online).toBeUndefined();
    expect(next.metadata.labels).toBeUndefined();
  });

  it('conflicts when another manager owns a field being changed, unless forced; equal values co-own', async () => {
    const conflict = await failure(c.custom.patchNamespacedCustomObject({ ...api, name: 'ssa', body: body({ size: 9 }), fieldManager: 'bob' }, apply));
    expect([conflict.code, conflict.reason]).toEqual([409, 'Conflict']);
    expect(conflict.message).toContain('conflict with "alice"');
    expect(conflict.details?.causes?.[0].field).toBe('.spec.size');
    const shared = (await c.custom.patchNamespacedCustomObject({ ...api, name: 'ssa', body: body({ size: 1, code: 'abc' }), fieldManager: 'bob' }, apply)) as Obj;
    expect(shared.spec).toMatchObject({ size: 1, code: 'abc' });
    const forced = (await c.custom.patchNamespacedCustomObject({ ...api, name: 'ssa', body: body({ size: 9 }), fieldManager: 'bob', force: true }, apply)) as Obj;
    expect(forced.spec?.size).toBe(9);
    const alice = forced.metadata.managedFields?.find((m) => m.manager === 'alice');
    expect(JSON.stringify(alice?.fieldsV1 ?? {})).not.toContain('f:size');
  });

  it('counts a non-apply writer as an owner too', async () => {
    await c.custom.patchNamespacedCustomObject({ ...api, name: 'ssa', body: { spec: { online: false } }, fieldManager: 'kubectl-patch' }, merge);
    const conflict = await failure(c.custom.patchNamespacedCustomObject({ ...api, name: 'ssa', body: body({ size: 9, online: true }), fieldManager: 'bob' }, apply));
    expect(conflict.message).toContain('conflict with "kubectl-patch"');
  });

  it('merges list-map items (x-kubernetes-list-type: map) by key across managers', async () => {
    const w = (spec: Record<string, unknown>) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'lm' }, spec });
    const patch = (spec: Record<string, unknown>, fieldManager: string, force = false) =>
      c.custom.patchNamespacedCustomObject({ ...api, name: 'lm', body: w(spec), fieldManager, force }, apply) as Promise<Obj>;
    await patch({ size: 1, ports: [{ name: 'http', port: 80 }] }, 'alice');
    const both = await patch({ ports: [{ name: 'metrics', port: 9090 }] }, 'bob');
    expect(both.spec?.ports).toEqual([{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }]);
    expect(JSON.stringify(both.metadata.managedFields)).toContain('k:{\\"name\\":\\"metrics\\"}');
    const conflict = await failure(patch({ ports: [{ name: 'metrics', port: 9090 }, { name: 'http', port: 81 }] }, 'bob'));
    expect(conflict.details?.causes?.map((x) => x.field)).toEqual(['.spec.ports[name="http"].port']);
    const dropped = await patch({ size: 1 }, 'alice');
    expect(dropped.spec?.ports).toEqual([{ name: 'metrics', port: 9090 }]);
  });
});
