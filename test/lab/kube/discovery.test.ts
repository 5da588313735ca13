import { describe, expect, it } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { useWidgetsServer } from './helpers.js';
import { waitFor } from '../../support/waitFor.js';
import { apiFetch } from '../../support/apiFetch.js';

const c = useWidgetsServer();

const get = async (path: string) => {
  const res = await apiFetch(c.server, path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('discovery', () => {
  it('serves /version, /api and /apis', async () => {
    expect((await get('/version')).body).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\./) });
    expect((await get('/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await get('/apis')).body.groups as { name: string; preferredVersion: { groupVersion: string } }[];
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apiextensions.k8s.io', 'coordination.k8s.io', 'events.k8s.io', 'example.com']));
  });

  it('lists resources with verbs, scope, short names, categories and the status subresource', async () => {
    const list = (await get('/apis/example.com/v1')).body;
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'example.com/v1' });
    const resources = list.resources as { name: string; namespaced: boolean; kind: string; verbs: string[]; shortNames?: string[]; categories?: string[]; singularName: string }[];
    expect(resources.find((r) => r.name === 'widgets')).toMatchObject({ singularName: 'widget', namespaced: true, kind: 'Widget', shortNames: ['wd'], categories: ['all'], verbs: expect.arrayContaining(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) });
    expect(resources.find((r) => r.name === 'widgets/status')?.verbs).toEqual(['get', 'patch', 'update']);
    const core = (await get('/api/v1')).body.resources as { name: string; namespaced: boolean }[];
    expect(core.find((r) => r.name === 'namespaces')?.namespaced).toBe(false);
    expect(core.find((r) => r.name === 'nodes/status')).toBeDefined();
  });

  it('answers 404 Status for unknown paths, and for cluster-scoped resources under a namespace', async () => {
    expect((await get('/apis/nope.io/v1')).body).toMatchObject({ kind: 'Status', code: 404 });
    expect((await get('/api/v1/namespaces/default/nodes')).status).toBe(404);
    expect((await get('/apis/example.com/v1/namespaces/default/gizmos')).status).toBe(404);
  });
});

describe('CustomResourceDefinitions', () => {
  it('report Established and NamesAccepted once served', async () => {
    const crd = await waitFor(async () => {
      const got = await c.ext.readCustomResourceDefinition({ name: 'widgets.example.com' });
      return got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') ? got : undefined;
    }, { what: 'Established' });
    expect(crd.status?.acceptedNames?.kind).toBe('Widget');
    expect(crd.status?.storedVersions).toEqual(['v1']);
  });
});

describe('KubernetesObjectApi (generic client, discovery first)', () => {
  it('creates, reads, applies and deletes custom and core objects', async () => {
    const api = k8s.KubernetesObjectApi.makeApiClient(c.kc);
    const w = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'generic', namespace: 'default' }, spec: { size: 2 } };
    await api.create(w);
    const read = (await api.read({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'generic', namespace: 'default' } })) as unknown as { spec: { size: number } };
    expect(read.spec.size).toBe(2);
    const applied = (await api.patch({ ...w, spec: { size: 3 } }, undefined, undefined, 'generic-test', true, k8s.PatchStrategy.ServerSideApply)) as unknown as { spec: { size: number } };
    expect(applied.spec.size).toBe(3);
    await api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'generic', namespace: 'default' }, stringData: { a: 'b' } } as k8s.V1Secret);
    const listed = await api.list('v1', 'Secret', 'default');
    expect(listed.items.map((i) => i.metadata?.name)).toContain('generic');
    await api.delete({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'generic', namespace: 'default' } });
    await expect(api.read({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'generic', namespace: 'default' } })).rejects.toMatchObject({ code: 404 });
  });
});
