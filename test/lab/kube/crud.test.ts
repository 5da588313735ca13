import { describe, expect, it } from '@jest/globals';
import type * as k8s from '@kubernetes/client-node';
import { failure, merge, ns, postRaw, useWidgetsServer, widget, widgetCrd } from './helpers.js';
import { sleep, waitFor } from '../../support/waitFor.js';
import { apiFetch } from '../../support/apiFetch.js';

type Obj = { metadata: k8s.V1ObjectMeta; spec?: Record<string, unknown>; status?: Record<string, unknown> };

const c = useWidgetsServer({}, (c) => c.core.createNamespace({ body: { metadata: { name: 'crud' } } }));

describe('core resources over HTTP with client-node', () => {
  it('creates, reads, replaces, lists and deletes a Secret; stringData becomes base64 data', async () => {
    const created = await c.core.createNamespacedSecret({ namespace: 'crud', body: { metadata: { name: 's1', labels: { app: 'a' } }, stringData: { token: 'hunter2' } } });
    expect(created.data).toEqual({ token: Buffer.from('hunter2').toString('base64') });
    expect(created.stringData).toBeUndefined();
    expect(created.type).toBe('Opaque');
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    const got = await c.core.readNamespacedSecret({ name: 's1', namespace: 'crud' });
    expect(got.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const replaced = await c.core.replaceNamespacedSecret({ name: 's1', namespace: 'crud', body: { ...got, data: { token: 'eA==' } } });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(got.metadata?.resourceVersion));
    const list = await c.core.listNamespacedSecret({ namespace: 'crud' });
    expect(list.items.map((s) => s.metadata?.name)).toEqual(['s1']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(replaced.metadata?.resourceVersion));
    await c.core.deleteNamespacedSecret({ name: 's1', namespace: 'crud' });
    expect((await failure(c.core.readNamespacedSecret({ name: 's1', namespace: 'crud' }))).reason).toBe('NotFound');
  });

  it('answers AlreadyExists on a duplicate create and Conflict on a stale update', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'cm' }, data: { a: '1' } } });
    const dup = await failure(c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'cm' } } }));
    expect([dup.code, dup.reason]).toEqual([409, 'AlreadyExists']);
    const cm = await c.core.readNamespacedConfigMap({ name: 'cm', namespace: 'crud' });
    await c.core.replaceNamespacedConfigMap({ name: 'cm', namespace: 'crud', body: { ...cm, data: { a: '2' } } });
    const stale = await failure(c.core.replaceNamespacedConfigMap({ name: 'cm', namespace: 'crud', body: { ...cm, data: { a: '3' } } }));
    expect([stale.code, stale.reason]).toEqual([409, 'Conflict']);
    expect(stale.message).toBe('Operation cannot be fulfilled on configmaps "cm": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('names 404s properly, including a missing namespace', async () => {
    const missing = await failure(c.core.readNamespacedConfigMap({ name: 'nope', namespace: 'crud' }));
    expect(missing).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "nope" not found', kind: 'Status', status: 'Failure' });
    const noNs = await failure(c.core.createNamespacedConfigMap({ namespace: 'ghost', body: { metadata: { name: 'x' } } }));
    expect([noNs.code, noNs.message]).toEqual([404, 'namespaces "ghost" not found']);
  });

  it('rejects malformed bodies with 400 without echoing them (they may hold Secret data)', async () => {
    const res = await apiFetch(c.server, '/api/v1/namespaces/crud/secrets', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"stringData":{"token":"hunter2-top-secret' });
    const body = (await res.json()) as { code: number; message: string };
    expect([res.status, body.code]).toEqual([400, 400]);
    expect(body.message).toMatch(/^error decoding request body: malformed body/);
    expect(body.message).not.toContain('hunter2');
  });

  it('generates names with a 5-character suffix', async () => {
    const a = await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { generateName: 'gen-' } } });
    const b = await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { generateName: 'gen-' } } });
    expect(a.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    expect(a.metadata?.name).not.toBe(b.metadata?.name);
  });

  it('filters by label selectors and field selectors, across namespaces too', async () => {
    const mk = (name: string, labels: Record<string, string>, type = 'Opaque') =>
      c.core.createNamespacedSecret({ namespace: 'crud', body: { metadata: { name, labels }, type } });
    await mk('l1', { tier: 'gpu', zone: 'a' });
    await mk('l2', { tier: 'cpu', zone: 'b' }, 'kubernetes.io/tls');
    await mk('l3', { tier: 'cpu' });
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await c.core.listNamespacedSecret({ namespace: 'crud', labelSelector, fieldSelector })).items.map((s) => s.metadata?.name).filter((n) => n?.startsWith('l'));
    expect(await names('tier=cpu')).toEqual(['l2', 'l3']);
    expect(await names('tier==gpu')).toEqual(['l1']);
    expect(await names('tier!=gpu')).toEqual(['l2', 'l3']);
    expect(await names('zone in (a,b)')).toEqual(['l1', 'l2']);
    expect(await names('zone notin (a),tier')).toEqual(['l2', 'l3']);
    expect(await names('zone')).toEqual(['l1', 'l2']);
    expect(await names('!zone')).toEqual(['l3']);
    expect(await names(undefined, 'metadata.name=l2')).toEqual(['l2']);
    expect(await names(undefined, 'type=kubernetes.io/tls')).toEqual(['l2']);
    const all = await c.core.listSecretForAllNamespaces({ labelSelector: 'tier=gpu' });
    expect(all.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toEqual(['crud/l1']);
  });
});

describe('custom resources', () => {
  const api = ns('crud');

  it('serves CRUD, list across namespaces, and defaults/prunes by schema', async () => {
    const created = (await c.custom.createNamespacedCustomObject({ ...api, body: widget('w1', { size: 2, junk: true }) })) as Obj;
    expect(created.spec).toEqual({ size: 2, color: 'red' });
    expect(created.metadata.generation).toBe(1);
    const dup = await failure(c.custom.createNamespacedCustomObject({ ...api, body: widget('w1') }));
    expect(dup.reason).toBe('AlreadyExists');
    expect(dup.message).toBe('widgets.example.com "w1" already exists');
    const all = (await c.custom.listClusterCustomObject({ group: api.group, version: api.version, plural: api.plural })) as { items: Obj[]; metadata: { resourceVersion: string } };
    expect(all.items.map((o) => o.metadata.name)).toContain('w1');
    expect(all.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('requires resourceVersion on replace and reports Conflict with the real message', async () => {
    const cur = (await c.custom.getNamespacedCustomObject({ ...api, name: 'w1' })) as Obj;
    const noRv = await failure(c.custom.replaceNamespacedCustomObject({ ...api, name: 'w1', body: widget('w1', { size: 3 }) }));
    expect(noRv.code).toBe(422);
    await c.custom.replaceNamespacedCustomObject({ ...api, name: 'w1', body: { ...widget('w1', { size: 3 }), metadata: cur.metadata } });
    const stale = await failure(c.custom.replaceNamespacedCustomObject({ ...api, name: 'w1', body: { ...widget('w1', { size: 4 }), metadata: cur.metadata } }));
    expect(stale.message).toBe('Operation cannot be fulfilled on widgets.example.com "w1": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('isolates the status subresource and bumps generation only on spec changes', async () => {
    const w = (await c.custom.createNamespacedCustomObject({ ...api, body: { ...widget('st', { size: 1 }), status: { state: 'ignored' } } })) as Obj;
    expect(w.status).toBeUndefined();
    const s1 = (await c.custom.patchNamespacedCustomObjectStatus({ ...api, name: 'st', body: { status: { state: 'ready' }, spec: { size: 50 } } }, merge)) as Obj;
    expect(s1.status).toEqual({ state: 'ready' });
    expect(s1.spec?.size).toBe(1);
    expect(s1.metadata.generation).toBe(1);
    const m = (await c.custom.patchNamespacedCustomObject({ ...api, name: 'st', body: { status: { state: 'hacked' }, metadata: { labels: { a: 'b' } } } }, merge)) as Obj;
    expect(m.status).toEqual({ state: 'ready' });
    expect(m.metadata.generation).toBe(1);
    const g = (await c.custom.patchNamespacedCustomObject({ ...api, name: 'st', body: { spec: { size: 7 } } }, merge)) as Obj;
    expect(g.metadata.generation).toBe(2);
    const same = (await c.custom.patchNamespacedCustomObject({ ...api, name: 'st', body: { spec: { size: 7 } } }, merge)) as Obj;
    expect(same.metadata.resourceVersion).toBe(g.metadata.resourceVersion);
    const cur = (await c.custom.getNamespacedCustomObject({ ...api, name: 'st' })) as Obj;
    const st = (await c.custom.replaceNamespacedCustomObjectStatus({ ...api, name: 'st', body: { ...cur, status: { state: 'done', count: 3 } } })) as Obj;
    expect(st.status).toEqual({ state: 'done', count: 3 });
    expect(st.metadata.generation).toBe(2);
  });

  it('holds objects with finalizers in deletion until the last finalizer goes', async () => {
    await c.custom.createNamespacedCustomObject({ ...api, body: widget('fin', { size: 1 }, { finalizers: ['example.com/hold'] }) });
    const deleting = (await c.custom.deleteNamespacedCustomObject({ ...api, name: 'fin' })) as Obj;
    expect(deleting.metadata.deletionTimestamp).toBeDefined();
    expect(deleting.metadata.deletionGracePeriodSeconds).toBe(0);
    const still = (await c.custom.getNamespacedCustomObject({ ...api, name: 'fin' })) as Obj;
    expect(still.metadata.finalizers).toEqual(['example.com/hold']);
    const again = (await c.custom.deleteNamespacedCustomObject({ ...api, name: 'fin' })) as Obj;
    expect(again.metadata.resourceVersion).toBe(still.metadata.resourceVersion);
    const grow = await failure(c.custom.patchNamespacedCustomObject({ ...api, name: 'fin', body: { metadata: { finalizers: ['example.com/hold', 'x/y'] } } }, merge));
    expect(grow.code).toBe(422);
    await c.custom.patchNamespacedCustomObject({ ...api, name: 'fin', body: { metadata: { finalizers: null } } }, merge);
    expect((await failure(c.custom.getNamespacedCustomObject({ ...api, name: 'fin' }))).code).toBe(404);
  });

  it('checks delete preconditions', async () => {
    const w = (await c.custom.createNamespacedCustomObject({ ...api, body: widget('pre') })) as Obj;
    const bad = await failure(c.custom.deleteNamespacedCustomObject({ ...api, name: 'pre', body: { preconditions: { uid: 'not-it' } } }));
    expect([bad.code, bad.reason]).toEqual([409, 'Conflict']);
    const badRv = await failure(c.custom.deleteNamespacedCustomObject({ ...api, name: 'pre', body: { preconditions: { resourceVersion: '1' } } }));
    expect(badRv.code).toBe(409);
    await c.custom.deleteNamespacedCustomObject({ ...api, name: 'pre', body: { preconditions: { uid: w.metadata.uid, resourceVersion: w.metadata.resourceVersion } } });
  });

  it('garbage-collects dependents once their owners are gone, honouring finalizers', async () => {
    const owner = (await c.custom.createNamespacedCustomObject({ ...api, body: widget('owner') })) as Obj;
    const other = (await c.custom.createNamespacedCustomObject({ ...api, body: widget('owner2') })) as Obj;
    const ref = (o: Obj) => ({ apiVersion: 'example.com/v1', kind: 'Widget', name: o.metadata.name!, uid: o.metadata.uid! });
    await c.core.createNamespacedSecret({ namespace: 'crud', body: { metadata: { name: 'dep', ownerReferences: [ref(owner)] } } });
    await c.core.createNamespacedSecret({ namespace: 'crud', body: { metadata: { name: 'dep-fin', finalizers: ['x/keep'], ownerReferences: [ref(owner)] } } });
    await c.core.createNamespacedSecret({ namespace: 'crud', body: { metadata: { name: 'dep-two', ownerReferences: [ref(owner), ref(other)] } } });
    await c.custom.deleteNamespacedCustomObject({ ...api, name: 'owner' });
    await waitFor(async () => (await c.core.listNamespacedSecret({ namespace: 'crud', fieldSelector: 'metadata.name=dep' })).items.length === 0, { what: 'dep collected' });
    const held = await waitFor(async () => {
      const s = await c.core.readNamespacedSecret({ name: 'dep-fin', namespace: 'crud' });
      return s.metadata?.deletionTimestamp ? s : undefined;
    }, { what: 'dep-fin terminating' });
    expect(held.metadata?.finalizers).toEqual(['x/keep']);
    expect((await c.core.readNamespacedSecret({ name: 'dep-two', namespace: 'crud' })).metadata?.deletionTimestamp).toBeUndefined();
    await c.custom.deleteNamespacedCustomObject({ ...api, name: 'owner2' });
    await waitFor(async () => (await c.core.listNamespacedSecret({ namespace: 'crud', fieldSelector: 'metadata.name=dep-two' })).items.length === 0, { what: 'dep-two collected' });
  });

  it('refuses to delete the system namespaces', async () => {
    const e = await failure(c.core.deleteNamespace({ name: 'default' }));
    expect([e.code, e.reason, e.message]).toEqual([403, 'Forbidden', 'namespaces "default" is forbidden: this namespace may not be deleted']);
  });

  it('deletes a namespace with its content', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await c.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } });
    const ns1 = await c.core.deleteNamespace({ name: 'doomed' });
    expect(ns1).toBeDefined();
    expect((ns1 as unknown as k8s.V1Namespace).status?.phase).toBe('Terminating');
    await waitFor(async () => !(await c.core.listNamespace()).items.some((n) => n.metadata?.name === 'doomed'), { what: 'namespace gone' });
    expect((await failure(c.core.readNamespacedConfigMap({ name: 'x', namespace: 'doomed' }))).code).toBe(404);
  });

  it('removes a CRD and stops serving its resource', async () => {
    const extra = JSON.parse(JSON.stringify(widgetCrd));
    extra.metadata.name = 'gadgets.example.com';
    extra.spec.names = { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' };
    await postRaw(c.server, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', extra);
    await c.custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', plural: 'gadgets', namespace: 'crud', body: { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, spec: { size: 1 } } });
    await c.ext.deleteCustomResourceDefinition({ name: 'gadgets.example.com' });
    const gone = await failure(c.custom.listNamespacedCustomObject({ group: 'example.com', version: 'v1', plural: 'gadgets', namespace: 'crud' }));
    expect(gone.code).toBe(404);
  });

  it('orphans dependents with propagationPolicy Orphan', async () => {
    const owner = (await c.custom.createNamespacedCustomObject({ ...api, body: widget('orphaner') })) as Obj;
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'orphan', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'orphaner', uid: owner.metadata.uid! }] } } });
    await c.custom.deleteNamespacedCustomObject({ ...api, name: 'orphaner', propagationPolicy: 'Orphan' });
    const cm = await c.core.readNamespacedConfigMap({ name: 'orphan', namespace: 'crud' });
    expect(cm.metadata?.ownerReferences).toBeUndefined();
    await sleep(50);
    expect((await c.core.readNamespacedConfigMap({ name: 'orphan', namespace: 'crud' })).metadata?.deletionTimestamp).toBeUndefined();
  });

  it('deletes dependents first with propagationPolicy Foreground', async () => {
    const owner = (await c.custom.createNamespacedCustomObject({ ...api, body: widget('fg') })) as Obj;
    const ownerReferences = [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'fg', uid: owner.metadata.uid!, blockOwnerDeletion: true }];
    await c.core.createNamespacedConfigMap({ namespace: 'crud', body: { metadata: { name: 'fg-dep', finalizers: ['x/slow'], ownerReferences } } });
    const deleting = (await c.custom.deleteNamespacedCustomObject({ ...api, name: 'fg', propagationPolicy: 'Foreground' })) as Obj;
    expect(deleting.metadata.finalizers).toContain('foregroundDeletion');
    await waitFor(async () => (await c.core.readNamespacedConfigMap({ name: 'fg-dep', namespace: 'crud' })).metadata?.deletionTimestamp, { what: 'dependent terminating' });
    expect(((await c.custom.getNamespacedCustomObject({ ...api, name: 'fg' })) as Obj).metadata.deletionTimestamp).toBeDefined();
    await c.core.patchNamespacedConfigMap({ name: 'fg-dep', namespace: 'crud', body: { metadata: { finalizers: null } } }, merge);
    await waitFor(async () => (await c.custom.listNamespacedCustomObject({ ...api, fieldSelector: 'metadata.name=fg' }) as { items: unknown[] }).items.length === 0, { what: 'owner gone' });
  });
});
