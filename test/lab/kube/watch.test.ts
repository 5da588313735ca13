import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import type { KubeApiServer } from '../../../lab/kube/index.js';
import { merge, ns, postRaw, startWithWidgets, widget, widgetCrd, type Clients } from './helpers.js';
import { waitFor } from '../../support/waitFor.js';

type Obj = { metadata: k8s.V1ObjectMeta; code?: number; reason?: string };
interface Seen { type: string; obj: Obj }

const PATH = '/apis/example.com/v1/namespaces/default/widgets';
const api = ns('default');

let server: KubeApiServer;
let c: Clients;
const aborts: AbortController[] = [];

/** Starts a raw watch and records every event; `ended` resolves when the server closes it. */
async function watch(query: Record<string, string | number | boolean | undefined>, path = PATH) {
  const seen: Seen[] = [];
  let resolveEnd!: (e: unknown) => void;
  const ended = new Promise((r) => (resolveEnd = r));
  const ctrl = await new k8s.Watch(c.kc).watch(path, query, (type, obj) => seen.push({ type, obj: obj as Obj }), (err) => resolveEnd(err ?? null));
  aborts.push(ctrl);
  return { seen, ended };
}

beforeAll(async () => {
  const s = await startWithWidgets({ watchHistory: 5, bookmarkIntervalMs: 100 });
  server = s.server;
  c = s;
});
afterAll(async () => {
  for (const a of aborts) a.abort();
  await server.close();
});

describe('watch', () => {
  it('starts with the current state as ADDED when no resourceVersion is given, then follows', async () => {
    await c.custom.createNamespacedCustomObject({ ...api, body: widget('a') });
    const w = await watch({});
    await waitFor(() => w.seen.length >= 1, { what: 'initial ADDED' });
    await c.custom.patchNamespacedCustomObject({ ...api, name: 'a', body: { spec: { size: 2 } } }, merge);
    await waitFor(() => w.seen.length >= 2, { what: 'MODIFIED' });
    expect(w.seen.map((e) => `${e.type} ${e.obj.metadata.name}`)).toEqual(['ADDED a', 'MODIFIED a']);
  });

  it('replays only what happened after a given resourceVersion', async () => {
    const before = (await c.custom.getNamespacedCustomObject({ ...api, name: 'a' })) as Obj;
    await c.custom.patchNamespacedCustomObject({ ...api, name: 'a', body: { spec: { size: 3 } } }, merge);
    const w = await watch({ resourceVersion: before.metadata.resourceVersion });
    await waitFor(() => w.seen.length >= 1, { what: 'replayed MODIFIED' });
    expect(w.seen[0].type).toBe('MODIFIED');
    expect(Number(w.seen[0].obj.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    await c.custom.deleteNamespacedCustomObject({ ...api, name: 'a' });
    await waitFor(() => w.seen.some((e) => e.type === 'DELETED'), { what: 'DELETED' });
  });

  it('sends bookmarks and ends at timeoutSeconds with a final bookmark', async () => {
    const w = await watch({ allowWatchBookmarks: true, timeoutSeconds: 1, resourceVersion: '0' });
    expect(await w.ended).toBeNull();
    const bookmarks = w.seen.filter((e) => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThanOrEqual(2);
    expect(bookmarks[0].obj.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('answers ERROR 410 Expired when the resourceVersion left the retained window', async () => {
    const first = (await c.custom.createNamespacedCustomObject({ ...api, body: widget('old') })) as Obj;
    for (let i = 0; i < 8; i++) await c.custom.patchNamespacedCustomObject({ ...api, name: 'old', body: { spec: { size: i + 1 } } }, merge);
    const w = await watch({ resourceVersion: first.metadata.resourceVersion });
    await w.ended;
    expect(w.seen).toHaveLength(1);
    expect(w.seen[0].type).toBe('ERROR');
    expect(w.seen[0].obj).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('applies label selectors to watches: leaving the selection is a DELETED event', async () => {
    const w = await watch({ labelSelector: 'tier=gpu' });
    await c.custom.createNamespacedCustomObject({ ...api, body: widget('sel', { size: 1 }, { labels: { tier: 'cpu' } }) });
    await c.custom.patchNamespacedCustomObject({ ...api, name: 'sel', body: { metadata: { labels: { tier: 'gpu' } } } }, merge);
    await c.custom.patchNamespacedCustomObject({ ...api, name: 'sel', body: { metadata: { labels: { tier: 'cpu' } } } }, merge);
    await waitFor(() => w.seen.length >= 2, { what: 'two events' });
    expect(w.seen.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
  });

  it('sends DELETED for the objects of a deleted CRD and ends its watches', async () => {
    const extra = JSON.parse(JSON.stringify(widgetCrd));
    extra.metadata.name = 'gizmos.example.com';
    extra.spec.names = { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' };
    await postRaw(server, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', extra);
    await c.custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', plural: 'gizmos', namespace: 'default', body: { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g1' }, spec: { size: 1 } } });
    const w = await watch({}, '/apis/example.com/v1/namespaces/default/gizmos');
    await waitFor(() => w.seen.length >= 1, { what: 'ADDED g1' });
    await c.ext.deleteCustomResourceDefinition({ name: 'gizmos.example.com' });
    expect(await w.ended).toBeNull();
    expect(w.seen.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
  });

  it('closes every stream on dropWatches()', async () => {
    const w = await watch({});
    server.dropWatches();
    expect(await w.ended).toBeNull();
  });
});

describe('makeInformer', () => {
  it('survives dropped watches and a forced 410, and still sees later changes', async () => {
    const informer = k8s.makeInformer(c.kc, PATH, () => c.custom.listNamespacedCustomObject({ ...api }) as never);
    const added: string[] = [];
    let connects = 0;
    let stopped = false;
    informer.on('add', (o: k8s.KubernetesObject) => added.push(o.metadata!.name!));
    informer.on('connect', () => connects++);
    informer.on('error', () => {
      if (!stopped) setTimeout(() => void informer.start(), 50);
    });
    await informer.start();
    try {
      await c.custom.createNamespacedCustomObject({ ...api, body: widget('inf1') });
      await waitFor(() => added.includes('inf1'), { what: 'inf1 seen' });
      server.dropWatches();
      await c.custom.createNamespacedCustomObject({ ...api, body: widget('inf2') });
      await waitFor(() => added.includes('inf2'), { what: 'inf2 seen after drop' });
      const reconnects = connects;
      server.faults.set({ goneRate: 1, match: (r) => r.verb === 'WATCH' });
      server.dropWatches();
      await waitFor(() => connects >= reconnects + 2, { what: 'relist after 410' });
      server.faults.clear();
      server.dropWatches();
      await c.custom.createNamespacedCustomObject({ ...api, body: widget('inf3') });
      await waitFor(() => added.includes('inf3'), { what: 'inf3 seen after 410' });
      expect(informer.list().map((o) => o.metadata!.name)).toEqual(expect.arrayContaining(['inf1', 'inf2', 'inf3']));
    } finally {
      stopped = true;
      await informer.stop();
      server.faults.clear();
    }
  });
});
