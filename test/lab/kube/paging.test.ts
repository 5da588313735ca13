/**
 * Chunked lists (`limit`/`continue`) as kube-apiserver serves them, driven with the real client-node and
 * the real kubectl: key order, remainingItemCount, every page from the first page's snapshot, selectors,
 * compaction (410 Expired with an inconsistent token), malformed tokens and the resourceVersion rules.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ListSnapshots } from '../../../lab/kube/paging.js';
import { apiFetch } from '../../support/apiFetch.js';
import { kubectl } from '../../support/kubectl.js';
import { failure, useWidgetsServer } from './helpers.js';

const c = useWidgetsServer();

/** A fresh namespace holding ConfigMaps `names`, each with data {v: '1'} and label `set: <namespace>`. */
async function namespaceWith(namespace: string, names: string[], labels: (name: string) => Record<string, string> = () => ({})): Promise<void> {
  await c.core.createNamespace({ body: { metadata: { name: namespace } } });
  for (const name of names) {
    await c.core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels: labels(name) }, data: { v: '1' } } });
  }
}

/** Every page of a namespaced ConfigMap list, in order. */
async function allPages(namespace: string, limit: number, labelSelector?: string) {
  const pages = [];
  let cont: string | undefined;
  do {
    const page = await c.core.listNamespacedConfigMap({ namespace, limit, labelSelector, _continue: cont });
    pages.push(page);
    cont = page.metadata?._continue;
  } while (cont);
  return pages;
}

const namesOf = (list: { items: { metadata?: { name?: string } }[] }) => list.items.map((i) => i.metadata!.name!);

async function rawList(listPath: string): Promise<{ status: number; body: Record<string, unknown> & { metadata?: { continue?: string; resourceVersion?: string } } }> {
  const res = await apiFetch(c.server, listPath);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('chunked lists', () => {
  it('pages in name order, reporting continue and remainingItemCount on every partial page', async () => {
    await namespaceWith('paged', ['e', 'a', 'd', 'b', 'c']);
    const pages = await allPages('paged', 2);
    expect(pages.map(namesOf)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(pages.map((p) => p.metadata?.remainingItemCount)).toEqual([3, 1, undefined]);
    expect(pages.map((p) => p.metadata?.resourceVersion)).toEqual(Array(3).fill(pages[0].metadata?.resourceVersion));
  });

  it('serves every later page from the first page\'s snapshot: changes after it show in the next list only', async () => {
    await namespaceWith('snap', ['a', 'b', 'c', 'd']);
    const first = await c.core.listNamespacedConfigMap({ namespace: 'snap', limit: 2 });
    await c.core.patchNamespacedConfigMap({ name: 'c', namespace: 'snap', body: [{ op: 'replace', path: '/data/v', value: '2' }] });
    await c.core.deleteNamespacedConfigMap({ name: 'd', namespace: 'snap' });
    await c.core.createNamespacedConfigMap({ namespace: 'snap', body: { metadata: { name: 'cc' } } });

    const rest = await c.core.listNamespacedConfigMap({ namespace: 'snap', limit: 10, _continue: first.metadata!._continue });
    expect(namesOf(rest)).toEqual(['c', 'd']);
    expect(rest.items[0].data).toEqual({ v: '1' });
    expect(rest.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
    expect(rest.metadata?._continue).toBeUndefined();

    const fresh = await c.core.listNamespacedConfigMap({ namespace: 'snap' });
    expect(namesOf(fresh)).toEqual(['a', 'b', 'c', 'cc']);
    expect(Number(fresh.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));
  });

  it('pages a list across namespaces in namespace/name order', async () => {
    await namespaceWith('zz-one', ['x', 'y']);
    await namespaceWith('zz-two', ['a', 'b']);
    const names: string[] = [];
    let cont: string | undefined;
    do {
      const page = await c.core.listConfigMapForAllNamespaces({ limit: 3, labelSelector: undefined, _continue: cont });
      names.push(...page.items.map((i) => `${i.metadata!.namespace}/${i.metadata!.name}`));
      cont = page.metadata?._continue;
    } while (cont);
    const zz = names.filter((n) => n.startsWith('zz-'));
    expect(zz).toEqual(['zz-one/x', 'zz-one/y', 'zz-two/a', 'zz-two/b']);
    expect(names).toEqual([...names].sort());
  });

  it('counts only matching objects towards limit under a label selector, and reports no remainingItemCount', async () => {
    await namespaceWith('selected', ['a', 'b', 'c', 'd', 'e', 'f', 'g'], (name) => ({ keep: 'abdfg'.includes(name) ? 'yes' : 'no' }));
    const pages = await allPages('selected', 2, 'keep=yes');
    expect(pages.flatMap(namesOf)).toEqual(['a', 'b', 'd', 'f', 'g']);
    expect(pages.slice(0, -1).every((p) => p.items.length === 2)).toBe(true);
    expect(pages.map((p) => p.metadata?.remainingItemCount)).toEqual(Array(pages.length).fill(undefined));
  });

  it('pages under a field selector the same way', async () => {
    await namespaceWith('fields', ['a', 'b', 'c', 'd']);
    const names: string[] = [];
    let cont: string | undefined;
    do {
      const page = await c.core.listNamespacedConfigMap({ namespace: 'fields', limit: 1, fieldSelector: 'metadata.name!=b', _continue: cont });
      expect(page.items.length).toBeLessThanOrEqual(1);
      expect(page.metadata?.remainingItemCount).toBeUndefined();
      names.push(...namesOf(page));
      cont = page.metadata?._continue;
    } while (cont);
    expect(names).toEqual(['a', 'c', 'd']);
  });

  it('answers a continue token whose snapshot was compacted with 410 Expired and an inconsistent token that continues at the latest state', async () => {
    await namespaceWith('compacted', ['a', 'b', 'c']);
    const first = await c.core.listNamespacedConfigMap({ namespace: 'compacted', limit: 1 });
    await c.core.createNamespacedConfigMap({ namespace: 'compacted', body: { metadata: { name: 'bb' } } });
    c.server.compact();

    const gone = await failure(c.core.listNamespacedConfigMap({ namespace: 'compacted', limit: 1, _continue: first.metadata!._continue }));
    expect(gone.code).toBe(410);
    expect(gone.reason).toBe('Expired');
    expect(gone.message).toMatch(/^The provided continue parameter is too old to display a consistent list result\./);

    const raw = await rawList(`/api/v1/namespaces/compacted/configmaps?limit=1&continue=${first.metadata!._continue}`);
    expect(raw.status).toBe(410);
    const inconsistent = raw.body.metadata?.continue;
    expect(typeof inconsistent).toBe('string');
    const rest = await c.core.listNamespacedConfigMap({ namespace: 'compacted', _continue: inconsistent });
    expect(namesOf(rest)).toEqual(['b', 'bb', 'c']);
    expect(Number(rest.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));
  });

  it('rejects a continue token that does not decode with 400 BadRequest, disturbing nothing', async () => {
    await namespaceWith('garbled', ['a', 'b']);
    const first = await c.core.listNamespacedConfigMap({ namespace: 'garbled', limit: 1 });
    for (const token of ['not-a-token', Buffer.from('{"v":"meta.k8s.io/v0","rv":5,"start":"a\\u0000"}').toString('base64url')]) {
      const bad = await failure(c.core.listNamespacedConfigMap({ namespace: 'garbled', limit: 1, _continue: token }));
      expect(bad.code).toBe(400);
      expect(bad.reason).toBe('BadRequest');
      expect(bad.message).toMatch(/^invalid continue token: continue key is not valid: /);
    }
    const rest = await c.core.listNamespacedConfigMap({ namespace: 'garbled', limit: 1, _continue: first.metadata!._continue });
    expect(namesOf(rest)).toEqual(['b']);
  });

  it('forbids a resourceVersion or resourceVersionMatch together with continue, as ValidateListOptions does', async () => {
    await namespaceWith('rv-rules', ['a', 'b']);
    const first = await c.core.listNamespacedConfigMap({ namespace: 'rv-rules', limit: 1 });
    const token = first.metadata!._continue;
    const withRv = await failure(c.core.listNamespacedConfigMap({ namespace: 'rv-rules', limit: 1, _continue: token, resourceVersion: first.metadata!.resourceVersion }));
    expect(withRv).toMatchObject({ code: 400, reason: 'BadRequest', message: 'specifying resource version is not allowed when using continue' });
    const withMatch = await failure(c.core.listNamespacedConfigMap({ namespace: 'rv-rules', limit: 1, _continue: token, resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' }));
    expect(withMatch).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(withMatch.message).toContain('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided');
    const rvZero = await c.core.listNamespacedConfigMap({ namespace: 'rv-rules', limit: 1, _continue: token, resourceVersion: '0' });
    expect(namesOf(rvZero)).toEqual(['b']);
  });

  it('rejects a limit that is not a non-negative integer', async () => {
    const raw = await rawList('/api/v1/configmaps?limit=-3');
    expect(raw.status).toBe(400);
    expect(raw.body.reason).toBe('BadRequest');
  });
});

describe('compaction of list snapshots', () => {
  const page = (snapshots: ListSnapshots, rv: string, token: string | null) => snapshots.page({
    scope: 'configmaps/x', keyedByNamespace: false, limit: '1', continueToken: token, resourceVersion: null, resourceVersionMatch: null,
    filtered: false, matches: () => true,
  }, rv, () => ['a', 'b'].map((name) => ({ obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } }, json: () => '{}' })));

  it('keeps a snapshot through the first compaction after it and drops it at the second, as kube-apiserver compacts at the previous interval\'s revision', () => {
    let now = 0;
    const snapshots = new ListSnapshots(1000, () => now);
    now = 900;
    const token = page(snapshots, '7', null).continueToken!;
    now = 1000;
    expect(page(snapshots, '8', token).items.map((i) => i.obj.metadata.name)).toEqual(['b']);
    now = 2000;
    expect(() => page(snapshots, '8', token)).toThrow(expect.objectContaining({ code: 410, reason: 'Expired' }));
  });
});

describe('kubectl get pages its lists', () => {
  let dir: string;
  let kubeconfig: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-paging-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    await c.server.writeKubeconfig(kubeconfig);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists every object with --chunk-size, one request per chunk', async () => {
    await namespaceWith('chunked', ['a', 'b', 'c', 'd', 'e']);
    const out = await kubectl(kubeconfig, ['get', 'configmaps', '-n', 'chunked', '--chunk-size=2', '-o', 'name', '-v=6']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split('\n')).toEqual(['a', 'b', 'c', 'd', 'e'].map((n) => `configmap/${n}`));
    const requests = out.stderr.split('\n').filter((l) => /GET https:\S+\/namespaces\/chunked\/configmaps\?\S*limit=2/.test(l));
    expect(requests).toHaveLength(3);
    expect(requests.filter((l) => l.includes('continue='))).toHaveLength(2);
  });

  it('pages by 500 by default', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'many' } } });
    c.server.seed(Array.from({ length: 501 }, (_, i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(3, '0')}`, namespace: 'many' } })));
    const out = await kubectl(kubeconfig, ['get', 'configmaps', '-n', 'many', '-o', 'name', '-v=6']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split('\n')).toHaveLength(501);
    const requests = out.stderr.split('\n').filter((l) => /GET https:\S+\/namespaces\/many\/configmaps\?\S*limit=500/.test(l));
    expect(requests).toHaveLength(2);
  });
});
