/** Pods, the pods/eviction subresource with PodDisruptionBudgets, the spec.nodeName field selector, and `kubectl drain`. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { failure, merge } from './helpers.js';
import { apiFetch } from '../../support/apiFetch.js';

const run = promisify(execFile);

interface Lab { server: KubeApiServer; core: k8s.CoreV1Api; policy: k8s.PolicyV1Api; apps: k8s.AppsV1Api }

async function startLab(): Promise<Lab> {
  const server = await startKubeApi({ loadDefaultCrds: false });
  const kc = server.kubeConfig();
  return { server, core: kc.makeApiClient(k8s.CoreV1Api), policy: kc.makeApiClient(k8s.PolicyV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

async function createPod(lab: Lab, namespace: string, name: string, opts: { node?: string; labels?: Record<string, string>; phase?: string; meta?: Partial<k8s.V1ObjectMeta>; volumes?: k8s.V1Volume[] } = {}) {
  await lab.core.createNamespacedPod({
    namespace,
    body: { metadata: { name, labels: opts.labels, ...opts.meta }, spec: { nodeName: opts.node, containers: [{ name: 'app', image: 'busybox' }], volumes: opts.volumes } },
  });
  if (opts.phase) await lab.core.patchNamespacedPodStatus({ namespace, name, body: { status: { phase: opts.phase } } }, merge);
}

const names = (list: { items: { metadata?: { name?: string } }[] }) => list.items.map((p) => p.metadata!.name).sort();
const evict = (lab: Lab, namespace: string, name: string) =>
  lab.core.createNamespacedPodEviction({ namespace, name, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } } });
const exists = async (lab: Lab, namespace: string, name: string) => {
  try {
    await lab.core.readNamespacedPod({ namespace, name });
    return true;
  } catch (e) {
    if ((e as { code?: number }).code === 404) return false;
    throw e;
  }
};

describe('pods and evictions in the lab API', () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab();
    for (const name of ['ev', 'pdb', 'sel']) await lab.core.createNamespace({ body: { metadata: { name } } });
  });
  afterAll(async () => {
    await lab?.server.close();
  });

  it('serves pods with a status subresource; a pod created without status starts Pending', async () => {
    await createPod(lab, 'ev', 'fresh');
    expect((await lab.core.readNamespacedPod({ namespace: 'ev', name: 'fresh' })).status?.phase).toBe('Pending');
    await lab.core.patchNamespacedPodStatus({ namespace: 'ev', name: 'fresh', body: { status: { phase: 'Running' } } }, merge);
    await lab.core.patchNamespacedPod({ namespace: 'ev', name: 'fresh', body: { metadata: { labels: { a: 'b' } }, status: { phase: 'Failed' } } }, merge);
    expect((await lab.core.readNamespacedPod({ namespace: 'ev', name: 'fresh' })).status?.phase).toBe('Running');
  });

  it('selects pods by spec.nodeName across and within namespaces, and rejects unsupported fields naming them', async () => {
    await createPod(lab, 'sel', 'a1', { node: 'node-a' });
    await createPod(lab, 'ev', 'a2', { node: 'node-a' });
    await createPod(lab, 'sel', 'b1', { node: 'node-b' });
    expect(names(await lab.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-a' }))).toEqual(['a1', 'a2']);
    expect(names(await lab.core.listNamespacedPod({ namespace: 'sel', fieldSelector: 'spec.nodeName=node-a' }))).toEqual(['a1']);
    expect(names(await lab.core.listNamespacedPod({ namespace: 'sel', fieldSelector: 'spec.nodeName!=node-a' }))).toEqual(['b1']);
    expect(names(await lab.core.listNamespacedPod({ namespace: 'sel', fieldSelector: 'spec.nodeName=node-b,status.phase=Pending' }))).toEqual(['b1']);
    const bad = await failure(lab.core.listNamespacedPod({ namespace: 'sel', fieldSelector: 'spec.nodeSelector=x' }));
    expect(bad).toMatchObject({ code: 400, message: 'field label not supported: spec.nodeSelector' });
    const notForSecrets = await failure(lab.core.listNamespacedSecret({ namespace: 'sel', fieldSelector: 'spec.nodeName=node-a' }));
    expect(notForSecrets.code).toBe(400);
  });

  it('lists pods/eviction in discovery with its group, version and kind, and serves policy and apps', async () => {
    const core = await (await apiFetch(lab.server, '/api/v1')).json() as { resources: Record<string, unknown>[] };
    expect(core.resources.find((r) => r.name === 'pods/eviction')).toMatchObject({ group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'], namespaced: true });
    expect(core.resources.find((r) => r.name === 'pods')).toMatchObject({ kind: 'Pod', shortNames: ['po'] });
    const policy = await (await apiFetch(lab.server, '/apis/policy/v1')).json() as { resources: { name: string }[] };
    expect(policy.resources.map((r) => r.name)).toContain('poddisruptionbudgets');
    const apps = await (await apiFetch(lab.server, '/apis/apps/v1')).json() as { resources: { name: string }[] };
    expect(apps.resources.map((r) => r.name)).toContain('daemonsets');
  });

  it('deletes the pod on eviction, answers 404 for a missing pod, and checks the Eviction body', async () => {
    await createPod(lab, 'ev', 'victim', { phase: 'Running' });
    await evict(lab, 'ev', 'victim');
    expect(await exists(lab, 'ev', 'victim')).toBe(false);
    const missing = await failure(evict(lab, 'ev', 'victim'));
    expect(missing).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "victim" not found' });
    await createPod(lab, 'ev', 'other', { phase: 'Running' });
    const mismatch = await failure(lab.core.createNamespacedPodEviction({ namespace: 'ev', name: 'other', body: { metadata: { name: 'victim' } } }));
    expect(mismatch).toMatchObject({ code: 400, message: 'name in URL does not match name in Eviction object' });
    expect(await exists(lab, 'ev', 'other')).toBe(true);
    const get = await apiFetch(lab.server, '/api/v1/namespaces/ev/pods/other/eviction');
    expect(get.status).toBe(405);
  });

  it('refuses with 429 when a PodDisruptionBudget (minAvailable, maxUnavailable: 0) forbids the eviction', async () => {
    await createPod(lab, 'pdb', 'web-1', { labels: { app: 'web' }, phase: 'Running' });
    await createPod(lab, 'pdb', 'web-2', { labels: { app: 'web' }, phase: 'Running' });
    await lab.policy.createNamespacedPodDisruptionBudget({ namespace: 'pdb', body: { metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } } });
    const blocked = await failure(evict(lab, 'pdb', 'web-1'));
    expect(blocked).toMatchObject({ code: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget." });
    expect(blocked.details?.causes?.[0].message).toBe('The disruption budget web needs 2 healthy pods and has 2 currently');
    expect(await exists(lab, 'pdb', 'web-1')).toBe(true);

    await lab.policy.patchNamespacedPodDisruptionBudget({ namespace: 'pdb', name: 'web', body: { spec: { minAvailable: null, maxUnavailable: 0 } } }, merge);
    expect((await failure(evict(lab, 'pdb', 'web-1'))).code).toBe(429);

    await lab.policy.patchNamespacedPodDisruptionBudget({ namespace: 'pdb', name: 'web', body: { spec: { maxUnavailable: null, minAvailable: '50%' } } }, merge);
    await evict(lab, 'pdb', 'web-1');
    expect(await exists(lab, 'pdb', 'web-1')).toBe(false);
    expect((await failure(evict(lab, 'pdb', 'web-2'))).code).toBe(429);
  });

  it('spends status.disruptionsAllowed when the PDB has a status, and lets Pending pods and unselected pods go', async () => {
    await lab.core.createNamespace({ body: { metadata: { name: 'spend' } } });
    for (const n of ['db-1', 'db-2']) await createPod(lab, 'spend', n, { labels: { app: 'db' }, phase: 'Running' });
    await createPod(lab, 'spend', 'db-starting', { labels: { app: 'db' } });
    await createPod(lab, 'spend', 'cache', { labels: { app: 'cache' }, phase: 'Running' });
    await lab.policy.createNamespacedPodDisruptionBudget({
      namespace: 'spend', body: { metadata: { name: 'db' }, spec: { maxUnavailable: 5, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] } } },
    });
    await lab.policy.patchNamespacedPodDisruptionBudgetStatus({ namespace: 'spend', name: 'db', body: { status: { disruptionsAllowed: 1 } } }, merge);
    await evict(lab, 'spend', 'db-1');
    expect((await lab.policy.readNamespacedPodDisruptionBudget({ namespace: 'spend', name: 'db' })).status?.disruptionsAllowed).toBe(0);
    expect((await failure(evict(lab, 'spend', 'db-2'))).code).toBe(429);
    await evict(lab, 'spend', 'db-starting'); // Pending pods ignore budgets
    await evict(lab, 'spend', 'cache');
    expect(names(await lab.core.listNamespacedPod({ namespace: 'spend' }))).toEqual(['db-2']);
  });
});

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (!hasKubectl()) {
  console.warn('kubectl is not on PATH: the kubectl drain test registers no tests on this machine.');
} else {
  describe('kubectl drain against the lab API', () => {
    let lab: Lab;
    let dir: string;
    const drain = (node: string, timeout: string) => run('kubectl', [
      '--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache'), '--request-timeout', '10s',
      'drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--timeout', timeout,
    ]);

    beforeAll(async () => {
      lab = await startLab();
      dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-drain-'));
      await lab.server.writeKubeconfig(path.join(dir, 'kubeconfig'));
    });
    afterAll(async () => {
      await lab?.server.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('cordons, evicts ordinary pods, and leaves DaemonSet and mirror pods', async () => {
      await lab.core.createNode({ body: { metadata: { name: 'worker-1' } } });
      const ds = await lab.apps.createNamespacedDaemonSet({
        namespace: 'kube-system',
        body: { metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent' }] } } } },
      });
      const dsOwner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: ds.metadata!.uid!, controller: true };
      await createPod(lab, 'default', 'bare', { node: 'worker-1', phase: 'Running' });
      await createPod(lab, 'default', 'scratch', { node: 'worker-1', phase: 'Running', volumes: [{ name: 'tmp', emptyDir: {} }] });
      await createPod(lab, 'kube-system', 'agent-x1', { node: 'worker-1', phase: 'Running', meta: { ownerReferences: [dsOwner] } });
      await createPod(lab, 'kube-system', 'static-worker-1', { node: 'worker-1', phase: 'Running', meta: { annotations: { 'kubernetes.io/config.mirror': 'abc' } } });
      await createPod(lab, 'default', 'elsewhere', { node: 'worker-2', phase: 'Running' });

      const { stdout, stderr } = await drain('worker-1', '30s');
      expect(stdout).toContain('node/worker-1 cordoned');
      expect(stdout).toContain('evicting pod default/bare'); // the Eviction API, not kubectl's DELETE fallback
      expect(stdout).toContain('pod/bare evicted');
      expect(stdout).toContain('pod/scratch evicted');
      expect(stdout).toContain('node/worker-1 drained');
      expect(stderr).toContain('ignoring DaemonSet-managed Pods: kube-system/agent-x1');
      expect((await lab.core.readNode({ name: 'worker-1' })).spec?.unschedulable).toBe(true);
      expect(names(await lab.core.listPodForAllNamespaces({}))).toEqual(['agent-x1', 'elsewhere', 'static-worker-1']);
    });

    it('keeps retrying a pod its disruption budget protects until the drain times out', async () => {
      await lab.core.createNode({ body: { metadata: { name: 'worker-3' } } });
      await createPod(lab, 'default', 'guarded', { node: 'worker-3', phase: 'Running', labels: { app: 'guarded' } });
      await lab.policy.createNamespacedPodDisruptionBudget({ namespace: 'default', body: { metadata: { name: 'guarded' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } } });
      const failed = await drain('worker-3', '2s').then(() => undefined, (e: { code?: number; stderr?: string }) => e);
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
      expect(await exists(lab, 'default', 'guarded')).toBe(true);
    });
  });
}
