import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1Secret } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { startTenantManager, type TenantManager } from '../../../lab/vcluster/tenantManager.js';
import { sleep, waitFor } from '../../support/waitFor.js';

/** Waits here are long: tenants start their own API servers. */
const PATIENTLY = { timeoutMs: 15_000, everyMs: 50 };

const run = promisify(execFile);
const VCI = { group: 'management.loft.sh', version: 'v1', plural: 'virtualclusterinstances' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const exists = (path: string) => access(path).then(() => true, () => false);

const decode = (secret: V1Secret, key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');

describe('tenant manager', () => {
  let mgmt: KubeApiServer;
  let manager: TenantManager;
  let stateDir: string;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    mgmt = await startKubeApi({ port: 0 });
    core = mgmt.kubeConfig().makeApiClient(CoreV1Api);
    custom = mgmt.kubeConfig().makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: 'p-demo' } } });
    stateDir = await mkdtemp(join(tmpdir(), 'tenant-manager-'));
    manager = await startTenantManager({ kubeConfig: mgmt.kubeConfig(), stateDir });
  });

  afterAll(async () => {
    await manager?.stop();
    await mgmt?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  const readSecret = (name: string) => core.readNamespacedSecret({ name, namespace: 'p-demo' }).catch(() => undefined);

  it('starts a tenant for a VirtualClusterInstance and publishes it through vc-<name>', async () => {
    await custom.createNamespacedCustomObject({ ...VCI, namespace: 'p-demo', body: {
      apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance',
      metadata: { name: 'one', finalizers: ['platform.lab/cleanup'] },
      spec: { template: { helmRelease: { values: 'privateNodes:\n  enabled: true\n' } } },
    } });
    const secret = await waitFor(() => readSecret('vc-one'), { what: 'access Secret', ...PATIENTLY });
    expect(secret.metadata?.labels).toEqual({ 'vcluster.loft.sh/tenant': 'one' });
    const endpoint = decode(secret, 'endpoint');
    expect(endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(manager.get('p-demo', 'one')?.endpoint).toBe(endpoint);

    // The kubeconfig works against the tenant API, TLS verified with the tenant CA.
    const kc = new KubeConfig();
    kc.loadFromString(decode(secret, 'config'));
    expect(kc.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
    const tenantCore = kc.makeApiClient(CoreV1Api);
    const kubeadm = await tenantCore.readNamespacedConfigMap({ name: 'kubeadm-config', namespace: 'kube-system' });
    expect(kubeadm.data?.ClusterConfiguration).toContain(`controlPlaneEndpoint: ${endpoint.replace('https://', '')}`);

    // The join endpoint answers with the published CA.
    const caFile = join(stateDir, 'published-ca.crt');
    await writeFile(caFile, decode(secret, 'certificate-authority'));
    const { stdout } = await run('curl', ['-sS', '--cacert', caFile, `${endpoint}/node/join?token=zzzzzz.zzzzzzzzzzzzzzzz`, '-w', ' %{http_code}']);
    expect(stdout).toBe('token not found or revoked\n 401');

    const vci = await waitFor(async () => {
      const obj = await custom.getNamespacedCustomObject({ ...VCI, namespace: 'p-demo', name: 'one' }) as { status?: { phase?: string } };
      return obj.status?.phase === 'Ready' ? obj : undefined;
    }, { what: 'VCI Ready', ...PATIENTLY });
    expect(vci.status?.phase).toBe('Ready');
    expect((await readFile(join(stateDir, 'tenants', 'one', 'endpoint'), 'utf8')).trim()).toBe(endpoint);
    expect(await readFile(join(stateDir, 'tenants', 'one', 'ca.crt'), 'utf8')).toBe(decode(secret, 'certificate-authority'));
  });

  it('keeps the tenant while finalizers hold the VCI and removes it once the VCI is gone', async () => {
    await custom.deleteNamespacedCustomObject({ ...VCI, namespace: 'p-demo', name: 'one' });
    await sleep(300);
    expect(await readSecret('vc-one')).toBeDefined();
    expect(manager.get('p-demo', 'one')).toBeDefined();

    await custom.patchNamespacedCustomObject({ ...VCI, namespace: 'p-demo', name: 'one', body: { metadata: { finalizers: null } } }, mergePatch);
    await waitFor(async () => (await readSecret('vc-one')) === undefined, { what: 'access Secret deleted', ...PATIENTLY });
    await waitFor(async () => manager.get('p-demo', 'one') === undefined, { what: 'tenant closed', ...PATIENTLY });
    expect(await exists(join(stateDir, 'tenants', 'one'))).toBe(false);
  });
});
