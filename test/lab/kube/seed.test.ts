import { describe, expect, it } from '@jest/globals';
import type * as k8s from '@kubernetes/client-node';
import { GROUP, PLURAL, useWidgetsServer, VERSION } from './helpers.js';

type Obj = { metadata: k8s.V1ObjectMeta; spec?: Record<string, unknown>; status?: Record<string, unknown> };

const c = useWidgetsServer({}, (c) => c.core.createNamespace({ body: { metadata: { name: 'seeded' } } }));

const widget = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>, namespace = 'seeded') => ({
  apiVersion: `${GROUP}/${VERSION}`, kind: 'Widget', metadata: { name, namespace }, spec, ...(status ? { status } : {}),
});

describe('seeding the store without HTTP', () => {
  it('creates objects as a create would (defaults, uid, resourceVersion) and writes their status through /status', async () => {
    c.server.seed([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'w1-secret', namespace: 'seeded' }, data: { k: 'dg==' } },
      widget('w1', { size: 3 }, { state: 'ready' }),
    ]);
    const got = (await c.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'seeded', plural: PLURAL, name: 'w1' })) as Obj;
    expect(got.spec).toEqual({ size: 3, color: 'red' });
    expect(got.status).toEqual({ state: 'ready' });
    expect(got.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.metadata.generation).toBe(1);
    expect(got.metadata.managedFields?.map((f) => [f.manager, f.subresource ?? ''])).toEqual([['lab-seed', ''], ['lab-seed', 'status']]);
    expect((await c.core.readNamespacedSecret({ namespace: 'seeded', name: 'w1-secret' })).data).toEqual({ k: 'dg==' });
  });

  it('rejects an invalid object naming it and the field, and keeps the objects before it', async () => {
    expect(() => c.server.seed([widget('w2', { size: 5 }), widget('w3', { size: 500 })])).toThrow(/w3.*spec\.size/);
    const names = ((await c.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'seeded', plural: PLURAL })) as { items: Obj[] }).items.map((w) => w.metadata.name);
    expect(names).toContain('w2');
    expect(names).not.toContain('w3');
    expect(() => c.server.seed([{ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } }])).toThrow('seed: example.com/v1 Gadget g is not served by this API');
  });

  it('leaves seeded objects where a list sees them, and counts no request for them', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'listed' } } });
    c.server.stats.reset();
    c.server.seed([widget('l1', { size: 1 }, undefined, 'listed'), widget('l2', { size: 2 }, { state: 'new' }, 'listed')]);
    expect(c.server.stats.snapshot().totalRequests).toBe(0);
    const list = (await c.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'listed', plural: PLURAL })) as { items: Obj[] };
    expect(list.items.map((w) => [w.metadata.name, w.status])).toEqual([['l1', undefined], ['l2', { state: 'new' }]]);
    expect(c.server.stats.snapshot().requests.LIST).toBe(1);
  });
});
