import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { startServerFarm, type ServerFarm } from '../../../lab/servers/index.js';
import { waitFor } from '../../support/waitFor.js';

/** Waits here are long: servers run cloud-init. */
const PATIENTLY = { timeoutMs: 15_000, everyMs: 50 };

const NS = 'default';
const BMH = { group: 'metal3.io', version: 'v1alpha1', namespace: NS, plural: 'baremetalhosts' };
const exists = (path: string) => access(path).then(() => true, () => false);

describe('server farm in prefix mode (no unshare)', () => {
  let mgmt: KubeApiServer;
  let farm: ServerFarm;
  let rootDir: string;

  beforeAll(async () => {
    mgmt = await startKubeApi({ port: 0 });
    rootDir = await mkdtemp(join(tmpdir(), 'server-farm-prefix-'));
    farm = await startServerFarm({ kubeConfig: mgmt.kubeConfig(), namespace: NS, rootDir, bootDelayMs: 10, sandboxMode: 'prefix' });
  });

  afterAll(async () => {
    await farm?.stop();
    await mgmt?.close();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  it('says which mode ran, keeps write_files and shims inside the sandbox, and runs runcmd with ROOT set', async () => {
    const core = mgmt.kubeConfig().makeApiClient(CoreV1Api);
    const custom = mgmt.kubeConfig().makeApiClient(CustomObjectsApi);
    const userData = `#cloud-config
hostname: prefix-1
write_files:
  - path: /etc/lab-prefix/motd
    content: hello from the sandbox
  - path: /etc/systemd/system/idle.service
    content: |
      [Service]
      ExecStart=/usr/bin/sleep infinity
runcmd:
  - cat "$ROOT/etc/lab-prefix/motd"; echo
  - [systemctl, enable, --now, idle]
  - systemctl is-active idle
`;
    await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'p1-user-data' }, stringData: { userData } } });
    await custom.createNamespacedCustomObject({ ...BMH, body: {
      apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost', metadata: { name: 'p1' },
      spec: { online: true, userData: { name: 'p1-user-data' } },
    } });
    await custom.patchNamespacedCustomObjectStatus({ ...BMH, name: 'p1', body: {
      status: { errorCount: 0, errorMessage: '', operationalStatus: 'OK', poweredOn: true, provisioning: { ID: 'p1', state: 'provisioned' } },
    } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));

    await waitFor(() => farm.servers().some((s) => s.host === 'p1' && s.phase === 'Running'), { what: 'Running', ...PATIENTLY });
    const log = farm.consoleLog('p1');
    expect(log).toContain('sandbox mode: prefix (unshare not permitted: ROOT-prefix fallback');
    expect(log).toContain('hello from the sandbox');
    expect(log).toContain('Started idle.service');
    expect(log).toMatch(/\] active\n/);
    expect(await readFile(join(rootDir, 'p1', 'etc/lab-prefix/motd'), 'utf8')).toBe('hello from the sandbox');
    expect(await exists('/etc/lab-prefix/motd')).toBe(false);
    expect(await readFile(join(rootDir, 'p1', 'console.log'), 'utf8')).toContain('hello from the sandbox');
  });
});
