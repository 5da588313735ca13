import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildTokenSecret, generateToken } from '../../../lab/vcluster/bootstrapTokens.js';
import { startTenant } from '../../../lab/vcluster/tenant.js';
import { joinCloudConfig, OPENSTACK_NETWORK, readyStatus, startFarmWorld, type FarmWorld } from './farmWorld.js';
import { waitFor } from '../../support/waitFor.js';

/** Waits here are long: servers run cloud-init. */
const PATIENTLY = { timeoutMs: 20_000, everyMs: 50 };

const exists = (path: string) => access(path).then(() => true, () => false);

/** The built-in interpreter: the fallback where Debian's cloud-init is absent (realCloudInit.test.ts covers the real one). */
describe('server farm', () => {
  let world: FarmWorld;
  let farm: FarmWorld['farm'];
  let rootDir: string;
  let tenant: FarmWorld['tenant'];
  let tenantCore: FarmWorld['tenantCore'];
  let tokens: string[];
  let createHost: FarmWorld['createHost'];
  let setHostStatus: FarmWorld['setHostStatus'];
  let readNode: FarmWorld['readNode'];
  let phaseOf: FarmWorld['phaseOf'];
  let expectNoToken: FarmWorld['expectNoToken'];

  beforeAll(async () => {
    world = await startFarmWorld({ cloudInit: 'builtin', sandboxMode: process.env.LAB_SANDBOX_MODE === 'prefix' ? 'prefix' : 'auto' });
    ({ farm, rootDir, tenant, tenantCore, tokens, createHost, setHostStatus, readNode, phaseOf, expectNoToken } = world);
  });

  afterAll(async () => {
    await world?.close();
  });

  it('boots a provisioned host, runs its cloud-config and joins the tenant; power-off makes the Node NotReady', async () => {
    const { token } = await tenant.createJoinToken();
    tokens.push(token);
    await createHost('host-a', joinCloudConfig({ hostname: 'worker-a', caPem: tenant.caCertPem, endpoint: tenant.endpoint, token }), OPENSTACK_NETWORK);

    const node = await waitFor(async () => {
      const n = await readNode('worker-a');
      return readyStatus(n) === 'True' ? n : undefined;
    }, { what: 'Node worker-a Ready', ...PATIENTLY });
    expect(node.metadata?.labels).toMatchObject({ 'kubernetes.io/hostname': 'worker-a' });
    expect(node.spec?.taints).toEqual([{ key: 'dedicated', value: 'lab', effect: 'NoSchedule' }]);
    await waitFor(() => phaseOf('host-a') === 'Running', { what: 'server Running', ...PATIENTLY });

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
    await waitFor(() => exists(join(sandbox, 'var/lib/kubelet/heartbeat')), { what: 'kubelet heartbeat file', ...PATIENTLY });
    const expected = ['etc/vcluster/ca.crt', 'usr/local/bin/kubeadm', 'usr/local/bin/kubelet', 'etc/systemd/system/kubelet.service',
      'etc/kubernetes/pki/ca.crt', 'home/ubuntu/.ssh/authorized_keys', 'var/lib/kubelet/heartbeat', 'console.log'];
    const missing = [];
    for (const path of expected) if (!(await exists(join(sandbox, path)))) missing.push(path);
    expect(missing).toEqual([]);
    if (farm.sandboxMode === 'namespace') expect(await exists('/etc/vcluster/ca.crt')).toBe(false);
    // The kubelet was started with the flags of /etc/default/kubelet (KUBELET_EXTRA_ARGS).
    expect(await readFile(join(sandbox, 'var/log/kubelet.log'), 'utf8')).toContain('starting with flags: --register-with-taints=dedicated=lab:NoSchedule --max-pods=50');

    await setHostStatus('host-a', 'provisioned', false);
    await waitFor(async () => readyStatus(await readNode('worker-a')) === 'Unknown', { what: 'Node worker-a NotReady', ...PATIENTLY });
    expect(phaseOf('host-a')).toBe('PoweredOff');

    // Reboot: runcmd does not run again, the enabled kubelet comes back and the Node is Ready again.
    await setHostStatus('host-a', 'provisioned', true);
    await waitFor(async () => readyStatus(await readNode('worker-a')) === 'True', { what: 'Node worker-a Ready again', ...PATIENTLY });
    expect(farm.consoleLog('host-a')).toContain('runcmd already ran for instance');

    // Deprovisioning stops the server and wipes the sandbox, keeping the console log.
    await setHostStatus('host-a', 'deprovisioning', true);
    await waitFor(() => phaseOf('host-a') === 'Wiped', { what: 'sandbox wiped', ...PATIENTLY });
    expect(await readdir(sandbox)).toEqual(['console.log']);
    expectNoToken(farm.consoleLog('host-a'));
  });

  it('rejects user data without the #cloud-config header, visibly', async () => {
    await createHost('host-b', '#!/bin/bash\necho hello\n');
    await waitFor(() => phaseOf('host-b') === 'Rejected', { what: 'rejected', ...PATIENTLY });
    expect(farm.consoleLog('host-b')).toContain('user data rejected: the first line is not "#cloud-config"');
  });

  it('fails the join with a wrong CA, visibly, and no Node appears', async () => {
    const other = await startTenant({ name: 'other-tenant' });
    try {
      const { token } = await tenant.createJoinToken();
      tokens.push(token);
      const netplan = 'version: 2\nethernets:\n  eth0:\n    addresses: [10.0.0.5/24]\n    nameservers: {addresses: [10.0.0.2]}\n';
      await createHost('host-c', joinCloudConfig({ hostname: 'worker-c', caPem: other.caCertPem, endpoint: tenant.endpoint, token }), netplan);
      await waitFor(() => phaseOf('host-c') === 'Failed', { what: 'failed', ...PATIENTLY });
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
    await waitFor(() => phaseOf('host-d') === 'Failed', { what: 'failed', ...PATIENTLY });
    const log = farm.consoleLog('host-d');
    expect(log).toContain('token expired');
    expectNoToken(log);
    expect(await readNode('worker-d')).toBeUndefined();
  });
});
