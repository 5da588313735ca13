/**
 * The host's connected clusters against the lab API: Cluster objects naming kubeconfig Secrets become
 * client configurations for the plugins; every kind of bad input is reported on the Cluster and to the
 * plugin with the Cluster and the field, and nothing of the Secret's content ever shows.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { ClusterDirectory } from '../../../platform/clusters/index.js';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { RecordingLogger } from '../../providers/helpers.js';
import { waitFor } from '../../support/waitFor.js';

const LOFT = { group: 'management.loft.sh', version: 'v1', plural: 'clusters' };
const NAMESPACE = 'vcluster-platform';
/** A token the site never issued; it stands for a credential and must never appear in a status, message or log line. */
const TOKEN = 'tok-3f9a1c55e0b24d7d9b1e';

/** A kubeconfig for `server` with TOKEN: the site's API refuses it (HTTP 401), as kube-apiserver refuses a bad token. */
function kubeconfigYaml(server: string, token = TOKEN): string {
  return stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'site',
    clusters: [{ name: 'site', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'site', context: { cluster: 'site', user: 'admin' } }],
  });
}

interface ClusterStatus { phase?: string; reason?: string; message?: string; conditions?: { type: string; status: string; reason?: string }[] }

describe('connected clusters (ClusterDirectory)', () => {
  let management: KubeApiServer;
  let site: KubeApiServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let directory: ClusterDirectory | undefined;
  let logger: RecordingLogger;

  beforeAll(async () => {
    management = await startKubeApi({ name: 'management' });
    site = await startKubeApi({ name: 'site' });
    kc = management.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  });

  afterEach(async () => {
    await directory?.stop();
    directory = undefined;
  });

  afterAll(async () => {
    await Promise.all([management.close(), site.close()]);
  });

  const start = async () => {
    logger = new RecordingLogger();
    directory = new ClusterDirectory({ kubeConfig: kc, logger, clock: { now: () => new Date() }, probeIntervalMs: 200, probeTimeoutMs: 1000 });
    await directory.start();
    return directory;
  };
  const aSecret = async (name: string, data: Record<string, string>) => {
    const body = { metadata: { name }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
    await core.deleteNamespacedSecret({ namespace: NAMESPACE, name }).catch(() => undefined);
    await core.createNamespacedSecret({ namespace: NAMESPACE, body });
  };
  const aCluster = async (name: string, config: { secretName: string; secretNamespace?: string; key?: string } | undefined) => {
    await custom.deleteClusterCustomObject({ ...LOFT, name }).catch(() => undefined);
    await custom.createClusterCustomObject({ ...LOFT, body: { apiVersion: 'management.loft.sh/v1', kind: 'Cluster', metadata: { name }, spec: config ? { config } : {} } });
  };
  const statusOf = async (name: string) => ((await custom.getClusterCustomObject({ ...LOFT, name })) as { status?: ClusterStatus }).status;
  const expectNoCredential = async (name: string) => {
    expect(JSON.stringify(await statusOf(name))).not.toContain(TOKEN);
    expect(logger.lines.join('\n')).not.toContain(TOKEN);
  };
  /** The cluster's state once it has been read (not the not-found default of a Cluster not seen yet). */
  const settled = (dir: ClusterDirectory, name: string, reason: string | undefined) =>
    waitFor(() => dir.get(name).reason === reason && (reason !== undefined || dir.get(name).ready), { what: `Cluster ${name} read` }).then(() => dir.get(name));

  it('hands out a ready client configuration for a Cluster whose Secret holds a working kubeconfig', async () => {
    await aSecret('good-kubeconfig', { config: site.kubeconfigYaml() });
    await aCluster('good', { secretName: 'good-kubeconfig', secretNamespace: NAMESPACE });
    const dir = await start();
    const good = await settled(dir, 'good', undefined);
    expect(good).toMatchObject({ name: 'good', ready: true });
    expect(good.kubeConfig?.getCurrentCluster()?.server).toBe(site.url);
    expect(JSON.stringify(await statusOf('good'))).not.toContain(good.kubeConfig?.getCurrentUser()?.token ?? '(no token)');
    await waitFor(async () => (await statusOf('good'))?.phase === 'Initialized');
    expect((await statusOf('good'))?.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Connected' })]);
  });

  it('reports a name that no Cluster has as ClusterNotFound', async () => {
    const dir = await start();
    expect(dir.get('nowhere')).toEqual({
      name: 'nowhere', ready: false, generation: 0, reason: 'ClusterNotFound',
      message: 'Cluster nowhere: not found (no management.loft.sh/v1 Cluster of that name)',
    });
  });

  it.each([
    { name: 'no-config', config: undefined, reason: 'KubeconfigMissing', message: 'Cluster no-config: spec.config.secretName: is required' },
    { name: 'no-secret', config: { secretName: 'absent', secretNamespace: NAMESPACE }, reason: 'KubeconfigMissing', message: `Cluster no-secret: spec.config.secretName: Secret ${NAMESPACE}/absent not found` },
    { name: 'wrong-key', config: { secretName: 'wrong-key', secretNamespace: NAMESPACE, key: 'kubeconfig' }, secret: { config: 'x' }, reason: 'KubeconfigMissing', message: `Cluster wrong-key: spec.config.key: Secret ${NAMESPACE}/wrong-key has no key "kubeconfig"` },
    { name: 'garbled', config: { secretName: 'garbled', secretNamespace: NAMESPACE }, secret: { config: `users: [ {token: ${TOKEN}` }, reason: 'KubeconfigInvalid', message: `Cluster garbled: spec.config: Secret ${NAMESPACE}/garbled key "config": is not a kubeconfig` },
    { name: 'no-context', config: { secretName: 'no-context', secretNamespace: NAMESPACE }, secret: { config: stringify({ apiVersion: 'v1', kind: 'Config', users: [{ name: 'u', user: { token: TOKEN } }] }) }, reason: 'KubeconfigInvalid', message: 'has no current-context' },
    { name: 'unreachable', config: { secretName: 'unreachable', secretNamespace: NAMESPACE }, secret: { config: kubeconfigYaml('http://127.0.0.1:1') }, reason: 'Unreachable', message: 'Cluster unreachable: http://127.0.0.1:1 is unreachable: ECONNREFUSED' },
  ])('reports $name as $reason, naming the Cluster and the field, without the Secret\'s content', async ({ name, config, secret, reason, message }) => {
    if (secret) await aSecret(name, secret);
    await aCluster(name, config);
    const dir = await start();
    const state = await settled(dir, name, reason);
    expect(state.ready).toBe(false);
    expect(state.message).toContain(message);
    await waitFor(async () => (await statusOf(name))?.phase === 'Failed');
    expect(await statusOf(name)).toMatchObject({ phase: 'Failed', reason, message: state.message });
    await expectNoCredential(name);
  });

  it('reports credentials the cluster refuses as CredentialsRefused', async () => {
    await aSecret('refused', { config: kubeconfigYaml(site.url) });
    await aCluster('refused', { secretName: 'refused', secretNamespace: NAMESPACE });
    const dir = await start();
    const state = await settled(dir, 'refused', 'CredentialsRefused');
    expect(state.message).toBe(`Cluster refused: ${site.url} refused the kubeconfig's credentials (HTTP 401)`);
    expect(state.kubeConfig).toBeDefined();
    await expectNoCredential('refused');
  });

  it('follows a fixed Secret: listeners hear of it and the configuration gets a new generation', async () => {
    await aSecret('healing', { config: kubeconfigYaml(site.url) });
    await aCluster('healing', { secretName: 'healing', secretNamespace: NAMESPACE });
    const dir = await start();
    const before = await settled(dir, 'healing', 'CredentialsRefused');
    const heard: string[] = [];
    dir.onChange((name) => heard.push(name));
    await aSecret('healing', { config: site.kubeconfigYaml() });
    const after = await settled(dir, 'healing', undefined);
    expect(after.ready).toBe(true);
    expect(after.generation).not.toBe(before.generation);
    expect(heard).toContain('healing');
  });
});
