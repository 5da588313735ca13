import { access, readdir, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { startServerFarm, type ServerFarm } from '../../../lab/servers/index.js';
import { buildTokenSecret, generateToken } from '../../../lab/vcluster/bootstrapTokens.js';
import { startTenant, type Tenant } from '../../../lab/vcluster/tenant.js';

const NS = 'metal3';
const BMH = { group: 'metal3.io', version: 'v1alpha1', namespace: NS, plural: 'baremetalhosts' };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exists = (path: string) => access(path).then(() => true, () => false);
const indent = (text: string, n: number) => text.trimEnd().split('\n').map((l) => ' '.repeat(n) + l).join('\n');

/**
 * Hand-written cloud-config (not the plugin's templates) that joins like vCluster's user data does.
 * Paths carry `$ROOT` (unset in namespace mode) so the test also passes in the prefix fallback.
 */
function joinCloudConfig(opts: { hostname: string; caPem: string; endpoint: string; token: string }): string {
  return `#cloud-config
hostname: ${opts.hostname}
ssh_authorized_keys:
  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIlabkey operator@lab
write_files:
  - path: /etc/vcluster/ca.crt
    permissions: '0644'
    content: |
${indent(opts.caPem, 6)}
  - path: /etc/vcluster/node-taints
    content: dedicated=lab:NoSchedule
runcmd:
  - echo "joining $(cat "$ROOT/etc/hostname")"
  - curl -fsSL --retry 2 --cacert "$ROOT/etc/vcluster/ca.crt" "${opts.endpoint}/node/join?token=${opts.token}" -o "$ROOT/tmp/join.sh"
  - bash "$ROOT/tmp/join.sh"
`;
}

const OPENSTACK_NETWORK = JSON.stringify({
  links: [{ id: 'enp1s0', type: 'phy', ethernet_mac_address: '02:00:00:00:00:01' }],
  networks: [{ id: 'net0', type: 'ipv4', link: 'enp1s0', ip_address: '192.168.100.10', netmask: '255.255.255.0',
    routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '192.168.100.1' }] }],
  services: [{ type: 'dns', address: '1.1.1.1' }],
});

describe('server farm', () => {
  let mgmt: KubeApiServer;
  let tenant: Tenant;
  let farm: ServerFarm;
  let rootDir: string;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  let tenantCore: CoreV1Api;
  const tokens: string[] = [];

  beforeAll(async () => {
    mgmt = await startKubeApi({ port: 0 });
    tenant = await startTenant({ name: 'farm-tenant', nodeGraceMs: 1000 });
    core = mgmt.kubeConfig().makeApiClient(CoreV1Api);
    custom = mgmt.kubeConfig().makeApiClient(CustomObjectsApi);
    tenantCore = tenant.api.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    rootDir = await mkdtemp(join(tmpdir(), 'server-farm-'));
    farm = await startServerFarm({ kubeConfig: mgmt.kubeConfig(), namespace: NS, rootDir, bootDelayMs: 20, heartbeatMs: 150, sandboxMode: process.env.LAB_SANDBOX_MODE === 'prefix' ? 'prefix' : 'auto' });
  });

  afterAll(async () => {
    await farm?.stop();
    await tenant?.close();
    await mgmt?.close();
    if (rootDir) await rm(rootDir, { recursive: true, force: true });
  });

  async function createHost(name: string, userData: string, networkData?: string): Promise<void> {
    await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: `${name}-user-data` }, data: { userData: Buffer.from(userData).toString('base64') } } });
    if (networkData) {
      await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: `${name}-network-data` }, data: { networkData: Buffer.from(networkData).toString('base64') } } });
    }
    await custom.createNamespacedCustomObject({ ...BMH, body: {
      apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost', metadata: { name },
      spec: {
        online: true, bootMACAddress: '02:00:00:00:00:01', bmc: { address: 'redfish+http://127.0.0.1:8000/redfish/v1/Systems/1', credentialsName: `${name}-bmc` },
        image: { url: 'http://images.lab/ubuntu.img', checksum: 'abc', checksumType: 'sha256' },
        userData: { name: `${name}-user-data`, namespace: NS },
        ...(networkData ? { networkData: { name: `${name}-network-data`, namespace: NS } } : {}),
      },
    } });
    await setHostStatus(name, 'provisioned', true);
  }

  async function setHostStatus(name: string, state: string, poweredOn: boolean): Promise<void> {
    await custom.patchNamespacedCustomObjectStatus({ ...BMH, name, body: {
      status: { errorCount: 0, errorMessage: '', operationalStatus: 'OK', poweredOn, provisioning: { ID: `ironic-${name}`, state } },
    } }, mergePatch);
  }

  const readyStatus = (node: V1Node | undefined) => node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const readNode = (name: string) => tenantCore.readNode({ name }).catch(() => undefined);
  const phaseOf = (host: string) => farm.servers().find((s) => s.host === host)?.phase;

  function expectNoToken(log: string): void {
    for (const token of tokens) {
      expect(log).not.toContain(token);
      expect(log).not.toContain(token.split('.')[1]);
    }
    expect(log).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
  }

  it('boots a provisioned host, runs its cloud-config and joins the tenant; power-off makes the Node NotReady', async () => {
    const { token } = await tenant.createJoinToken();
    tokens.push(token);
    await createHost('host-a', joinCloudConfig({ hostname: 'worker-a', caPem: tenant.caCertPem, endpoint: tenant.endpoint, token }), OPENSTACK_NETWORK);

    const node = await waitFor('Node worker-a Ready', async () => {
      const n = await readNode('worker-a');
      return readyStatus(n) === 'True' ? n : undefined;
    });
    expect(node.metadata?.labels).toMatchObject({ 'kubernetes.io/hostname': 'worker-a' });
    expect(node.spec?.taints).toEqual([{ key: 'dedicated', value: 'lab', effect: 'NoSchedule' }]);
    await waitFor('server Running', () => phaseOf('host-a') === 'Running');

    const log = farm.consoleLog('host-a');
    expect(log).toContain('cloud-init: set hostname worker-a');
    expect(log).toContain('joining worker-a');
    expect(log).toContain('Preparing node…');
    expect(log).toContain('network (openstack): enp1s0 address 192.168.100.10/24 gateway 192.168.100.1 dns 1.1.1.1');
    expect(log).toContain('cloud-init: runcmd exited with code 0');
    expectNoToken(log);
    const status = farm.servers().find((s) => s.host === 'host-a')!;
    expect(status).toMatchObject({ hostname: 'worker-a', network: { address: '192.168.100.10/24', gateway: '192.168.100.1', dns: ['1.1.1.1'] } });

    // Everything the server wrote landed in its sandbox, not on this machine.
    const sandbox = join(rootDir, 'host-a');
    await waitFor('kubelet heartbeat file', () => exists(join(sandbox, 'var/lib/kubelet/heartbeat')));
    const expected = ['etc/vcluster/ca.crt', 'usr/local/bin/kubeadm', 'usr/local/bin/kubelet', 'etc/systemd/system/kubelet.service',
      'etc/kubernetes/pki/ca.crt', 'home/ubuntu/.ssh/authorized_keys', 'var/lib/kubelet/heartbeat', 'console.log'];
    const missing = [];
    for (const path of expected) if (!(await exists(join(sandbox, path)))) missing.push(path);
    expect(missing).toEqual([]);
    if (farm.sandboxMode === 'namespace') expect(await exists('/etc/vcluster/ca.crt')).toBe(false);

    await setHostStatus('host-a', 'provisioned', false);
    await waitFor('Node worker-a NotReady', async () => readyStatus(await readNode('worker-a')) === 'Unknown');
    expect(phaseOf('host-a')).toBe('PoweredOff');

    // Reboot: runcmd does not run again, the enabled kubelet comes back and the Node is Ready again.
    await setHostStatus('host-a', 'provisioned', true);
    await waitFor('Node worker-a Ready again', async () => readyStatus(await readNode('worker-a')) === 'True');
    expect(farm.consoleLog('host-a')).toContain('runcmd already ran for instance');

    // Deprovisioning stops the server and wipes the sandbox, keeping the console log.
    await setHostStatus('host-a', 'deprovisioning', true);
    await waitFor('sandbox wiped', () => phaseOf('host-a') === 'Wiped');
    expect(await readdir(sandbox)).toEqual(['console.log']);
    expectNoToken(farm.consoleLog('host-a'));
  });

  it('rejects user data without the #cloud-config header, visibly', async () => {
    await createHost('host-b', '#!/bin/bash\necho hello\n');
    await waitFor('rejected', () => phaseOf('host-b') === 'Rejected');
    expect(farm.consoleLog('host-b')).toContain('user data rejected: the first line is not "#cloud-config"');
  });

  it('fails the join with a wrong CA, visibly, and no Node appears', async () => {
    const other = await startTenant({ name: 'other-tenant' });
    try {
      const { token } = await tenant.createJoinToken();
      tokens.push(token);
      const netplan = 'version: 2\nethernets:\n  eth0:\n    addresses: [10.0.0.5/24]\n    nameservers: {addresses: [10.0.0.2]}\n';
      await createHost('host-c', joinCloudConfig({ hostname: 'worker-c', caPem: other.caCertPem, endpoint: tenant.endpoint, token }), netplan);
      await waitFor('failed', () => phaseOf('host-c') === 'Failed');
      const log = farm.consoleLog('host-c');
      expect(log).toMatch(/curl: \(60\)|SSL certificate problem/);
      expect(log).toMatch(/runcmd exited with code [1-9]/);
      expect(log).toContain('network: WARNING no default gateway');
      expect(log).not.toContain('Preparing node…');
      expectNoToken(log);
      expect(await readNode('worker-c')).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('fails the join with an expired token, visibly, and no Node appears', async () => {
    const expired = generateToken();
    tokens.push(expired.token);
    await tenantCore.createNamespacedSecret({ namespace: 'kube-system', body: buildTokenSecret({ token: expired, expiresAt: new Date(Date.now() - 60_000) }) });
    const userData = joinCloudConfig({ hostname: 'worker-d', caPem: tenant.caCertPem, endpoint: tenant.endpoint, token: expired.token })
      .replace('curl -fsSL', 'curl -sS --fail-with-body').replace(' -o "$ROOT/tmp/join.sh"', ' -o "$ROOT/tmp/join.sh" || { cat "$ROOT/tmp/join.sh" >&2; exit 1; }');
    await createHost('host-d', userData);
    await waitFor('failed', () => phaseOf('host-d') === 'Failed');
    const log = farm.consoleLog('host-d');
    expect(log).toContain('token expired');
    expectNoToken(log);
    expect(await readNode('worker-d')).toBeUndefined();
  });
});
