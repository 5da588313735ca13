/**
 * Bad input: the host's ServiceAccount lacks a permission. The host logs and emits one clear error
 * naming the verb and resource, keeps retrying with backoff, and once the permission is granted
 * carries on with nothing lost.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { HOST_NAMESPACE, applyCatalog } from '../../lab/world.js';
import { DEFAULT_PLUGIN_LOADING } from '../../platform/config.js';
import { DEFAULT_PLATFORM_OPTIONS } from '../../platform/deps.js';
import { startPlatform, type Platform } from '../../platform/platform.js';
import { HOST_SA, HOST_USER, renderDeploy } from '../deploy/render.js';
import { RecordingLogger } from '../providers/helpers.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { waitFor } from '../support/waitFor.js';
import { REPO_ROOT } from './host/helpers.js';

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type ClusterRole = KubernetesObject & { rules: Rule[] };
const REFUSAL = `User "${HOST_USER}" cannot list resource "nodeclaims" in API group "management.loft.sh" at the cluster scope`;

describe('a host ServiceAccount missing a permission', () => {
  let lab: TestLab;
  let dir: string;
  let fullRole: ClusterRole;
  let platform: Platform | undefined;
  const logger = new RecordingLogger();

  beforeAll(async () => {
    lab = await startTestLab({ namespace: HOST_NAMESPACE, hosts: { names: ['perm-1'], options: { labels: { 'gpu-model': 'none' } } } });
    await applyCatalog(lab.kc, HOST_NAMESPACE);
    dir = await mkdtemp(join(tmpdir(), 'permissions-'));
    const objects = (await renderDeploy()).objects.filter((o) => ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind));
    fullRole = objects.find((o) => o.kind === 'ClusterRole') as unknown as ClusterRole;
    // The ClusterRole as an operator might have trimmed it: NodeClaims without list and watch.
    const trimmed = { ...fullRole, rules: fullRole.rules.map((r) => (r.resources.includes('nodeclaims') ? { ...r, verbs: r.verbs.filter((v) => v !== 'list' && v !== 'watch') } : r)) };
    const api = KubernetesObjectApi.makeApiClient(lab.kc);
    for (const o of objects) await api.create((o === fullRole as unknown ? trimmed : o) as KubernetesObject);
  });

  afterAll(async () => {
    await platform?.stop();
    await lab?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('logs and emits one error naming verb and resource, retries with backoff, and loses nothing once granted', async () => {
    const kubeConfig = lab.api.kubeConfig({ name: 'host', token: await lab.api.serviceAccountToken(HOST_SA.namespace, HOST_SA.name) });
    platform = await startPlatform({
      kubeConfig, stateDir: dir, logger, replicaId: 'restricted', metricsPort: 0, nodeTypeResyncMs: 500,
      config: { providers: [{ name: 'metal3-provider', path: REPO_ROOT }], options: DEFAULT_PLATFORM_OPTIONS, plugins: DEFAULT_PLUGIN_LOADING, metricsPort: 0 },
    });
    const refusals = () => lab.api.authz.denied(HOST_USER).filter((r) => r.resource === 'nodeclaims' && r.verb === 'list');
    const readyz = platform.metricsUrl.replace('/metrics', '/readyz');
    // Retried (1 s, 2 s, 4 s ...), not given up; not ready meanwhile.
    const first = await waitFor(() => refusals()[0]?.count, { what: 'a refused list' });
    await waitFor(() => refusals()[0].count >= first + 3, { what: 'the refused lists retried', timeoutMs: 30_000 });
    const errors = logger.lines.map((l) => JSON.parse(l) as { level: string; msg?: string; err?: string }).filter((l) => l.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ err: expect.stringContaining(REFUSAL), msg: expect.stringContaining('permission missing') })]);
    const events = await waitFor(async () => {
      const list = await lab.core.listNamespacedEvent({ namespace: 'default' });
      const forbidden = list.items.filter((e) => e.reason === 'Forbidden');
      return forbidden.length > 0 && forbidden;
    }, { what: 'the Forbidden Event' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'NodeProvider', name: 'metal3-provider' } });
    expect(events[0].message).toContain(REFUSAL);
    const notReady = await fetch(readyz);
    expect([notReady.status, await notReady.text()]).toEqual([503, 'not ready:\ninformers: 1 NodeType controller informer(s) not synced yet\n']);

    // The operator grants the permission: the next retry lists, the host turns ready and publishes the NodeTypes.
    await KubernetesObjectApi.makeApiClient(lab.kc).replace(await withResourceVersion(lab, fullRole));
    await waitFor(async () => (await fetch(readyz)).status === 200, { what: '/readyz 200 after the grant', timeoutMs: 40_000 });
    const types = await waitFor(async () => {
      const list = await lab.custom.listClusterCustomObject({ group: 'management.loft.sh', version: 'v1', plural: 'nodetypes' }) as { items: { metadata: { name: string } }[] };
      return list.items.length > 0 && list.items.map((t) => t.metadata.name);
    }, { what: 'NodeTypes after the grant', timeoutMs: 30_000 });
    expect(types).toContain('metal3-provider.cpu');
  }, 90_000);
});

async function withResourceVersion(lab: TestLab, role: ClusterRole): Promise<ClusterRole> {
  const current = await KubernetesObjectApi.makeApiClient(lab.kc).read({ apiVersion: role.apiVersion!, kind: role.kind!, metadata: { name: role.metadata!.name! } });
  return { ...role, metadata: { ...role.metadata, resourceVersion: current.metadata?.resourceVersion } };
}
