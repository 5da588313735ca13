/**
 * Servers booted by Debian's real cloud-init: the config drive as Ironic writes it, all four stages,
 * NICs matched by MAC, netplan checked by netplan, write_files and runcmd by cloud-init itself, the
 * join over verified TLS, reboots, failures, and nothing left behind.
 */
import { execFile } from 'node:child_process';
import { access, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { joinCloudConfig, OPENSTACK_NETWORK, readyStatus, startFarmWorld, BOOT_MAC, type FarmWorld } from './farmWorld.js';
import { waitFor } from '../../support/waitFor.js';

/** Waits here are long: servers run Debian's cloud-init. */
const PATIENTLY = { timeoutMs: 60_000, everyMs: 100 };

const run = promisify(execFile);
const exists = (path: string) => access(path).then(() => true, () => false);

/** Processes whose root directory is inside `dir` (a server's chroot). */
async function processesRootedIn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const root = await readlink(`/proc/${entry}/root`).catch(() => '');
    if (root.startsWith(dir)) pids.push(Number(entry));
  }
  return pids;
}

describe('servers booted by Debian cloud-init', () => {
  let world: FarmWorld;

  beforeAll(async () => {
    world = await startFarmWorld();
  });

  afterAll(async () => {
    await world?.close();
  });

  it('uses the real cloud-init on this machine (CI installs it; without it this suite cannot prove anything)', () => {
    expect(world.farm.runner).toMatchObject({ kind: 'cloud-init' });
    expect(world.farm.runnerDescription).toMatch(/^Debian cloud-init \d+\.\d+/);
  });

  it('boots from the config drive through all four stages, matches the NIC by MAC, joins, reboots without rerunning runcmd, and is wiped', async () => {
    const { tenant, createHost, phaseOf, readNode, farm, rootDir } = world;
    const { token } = await tenant.createJoinToken();
    world.tokens.push(token);
    const nics = [{ name: 'enp1s0f0', mac: BOOT_MAC }, { name: 'enp1s0f1', mac: '02:00:00:00:00:02' }];
    await createHost('real-a', joinCloudConfig({ hostname: 'worker-real-a', caPem: tenant.caCertPem, endpoint: tenant.endpoint, token }), OPENSTACK_NETWORK, nics);

    await waitFor(async () => readyStatus(await readNode('worker-real-a')) === 'True', { what: 'Node worker-real-a Ready', ...PATIENTLY });
    await waitFor(() => phaseOf('real-a') === 'Running', { what: 'server Running', ...PATIENTLY });
    const log = farm.consoleLog('real-a');
    for (const stage of ['init-local', 'init', 'modules:config', 'modules:final']) {
      expect(log).toContain(`lab-boot: stage ${stage} exited with code 0`);
    }
    expect(log).toMatch(/Cloud-init v\. \d+\.\d+\.\d+ running 'init-local'/);
    expect(log).toContain('Datasource DataSourceConfigDrive');
    expect(log).toContain('lab-boot: netplan generate accepted /etc/netplan/50-cloud-init.yaml');
    expect(log).toContain('This node has joined the cluster');
    world.expectNoToken(log);
    const status = farm.servers().find((s) => s.host === 'real-a')!;
    expect(status).toMatchObject({ runner: 'cloud-init', hostname: 'worker-real-a' });
    expect(status.cloudInitMs).toBeGreaterThan(0);

    // The config drive is where cloud-init's ConfigDrive datasource reads it, as Ironic writes it.
    const sandbox = join(rootDir, 'real-a');
    const latest = join(sandbox, 'var/lib/cloud/seed/config_drive/openstack/latest');
    expect((await readdir(latest)).sort()).toEqual(['meta_data.json', 'network_data.json', 'user_data']);
    const meta = JSON.parse(await readFile(join(latest, 'meta_data.json'), 'utf8')) as { uuid: string; hostname: string };
    expect(meta.hostname).toBe('real-a');
    // cloud-init used that uuid as the instance id, and recorded its per-instance semaphores under it.
    expect(await exists(join(sandbox, 'var/lib/cloud/instances', meta.uuid, 'sem', 'config_write_files'))).toBe(true);

    // Netplan, written by cloud-init from network_data.json: the link matched by MAC, the static address.
    const netplan = parse(await readFile(join(sandbox, 'etc/netplan/50-cloud-init.yaml'), 'utf8')) as {
      network: { ethernets: Record<string, { match?: { macaddress?: string }; addresses?: string[]; routes?: { to: string; via: string }[] }> };
    };
    const [ethernet] = Object.values(netplan.network.ethernets);
    expect(ethernet).toMatchObject({ match: { macaddress: BOOT_MAC }, addresses: ['192.168.100.10/24'] });
    expect(ethernet!.routes).toEqual([{ to: '0.0.0.0/0', via: '192.168.100.1' }]);

    // write_files and runcmd were cloud-init's own: the files are in the server, not on this machine.
    expect(await readFile(join(sandbox, 'etc/default/kubelet'), 'utf8')).toBe('KUBELET_EXTRA_ARGS="--register-with-taints=dedicated=lab:NoSchedule --max-pods=50"');
    expect(await exists(join(sandbox, 'var/lib/cloud/instances', meta.uuid, 'scripts/runcmd'))).toBe(true);
    expect(await readFile('/etc/default/kubelet', 'utf8').catch(() => '')).not.toContain('dedicated=lab');
    expect(await exists(join(sandbox, 'home/ubuntu/.ssh/authorized_keys')) || await exists(join(sandbox, 'root/.ssh/authorized_keys'))).toBe(true);

    // Power off, then on again: cloud-init skips the per-instance runcmd, the enabled kubelet returns.
    await world.setHostStatus('real-a', 'provisioned', false);
    await waitFor(async () => readyStatus(await readNode('worker-real-a')) === 'Unknown', { what: 'Node worker-real-a NotReady', ...PATIENTLY });
    const firstBootLog = farm.consoleLog('real-a');
    await world.setHostStatus('real-a', 'provisioned', true);
    await waitFor(async () => readyStatus(await readNode('worker-real-a')) === 'True', { what: 'Node worker-real-a Ready again', ...PATIENTLY });
    await waitFor(() => farm.servers().find((s) => s.host === 'real-a' && s.bootCount === 2 && s.phase === 'Running'), { what: 'second boot finished', ...PATIENTLY });
    const secondBoot = farm.consoleLog('real-a').slice(firstBootLog.length);
    expect(secondBoot).not.toContain('joining worker-real-a');
    expect(secondBoot).toContain('Started kubelet.service');

    // Deprovisioning: processes gone, the overlay and its namespaces with them, the sandbox wiped.
    await world.setHostStatus('real-a', 'deprovisioning', true);
    await waitFor(() => phaseOf('real-a') === 'Wiped', { what: 'sandbox wiped', ...PATIENTLY });
    expect(await readdir(sandbox)).toEqual(['console.log']);
    expect(await processesRootedIn(join(rootDir, '.overlay', 'real-a'))).toEqual([]);
    const { stdout: mounts } = await run('findmnt', ['-rn', '-o', 'TARGET']);
    expect(mounts).not.toContain(rootDir);
  });

  it('shows a failing runcmd as a failed final stage on the console and in the server state', async () => {
    const userData = '#cloud-config\nhostname: worker-real-b\nruncmd:\n  - echo about to fail\n  - exit 7\n';
    await world.createHost('real-b', userData, OPENSTACK_NETWORK);
    await waitFor(() => world.phaseOf('real-b') === 'Failed', { what: 'failed', ...PATIENTLY });
    const log = world.farm.consoleLog('real-b');
    expect(log).toContain('about to fail');
    expect(log).toMatch(/lab-boot: cloud-init stage modules:final failed \(exit code [1-9]\)/);
    expect(world.farm.servers().find((s) => s.host === 'real-b')?.message).toMatch(/^cloud-init stage modules:final failed/);
  });

  it('fails the join against the wrong CA over verified TLS, and no Node appears', async () => {
    const { startTenant } = await import('../../../lab/vcluster/tenant.js');
    const other = await startTenant({ name: 'other-real-tenant' });
    try {
      const { token } = await world.tenant.createJoinToken();
      world.tokens.push(token);
      await world.createHost('real-c', joinCloudConfig({ hostname: 'worker-real-c', caPem: other.caCertPem, endpoint: world.tenant.endpoint, token }), OPENSTACK_NETWORK);
      await waitFor(() => world.phaseOf('real-c') === 'Failed', { what: 'failed', ...PATIENTLY });
      const log = world.farm.consoleLog('real-c');
      expect(log).toMatch(/curl: \(60\)|SSL certificate problem/);
      expect(log).not.toContain('This node has joined the cluster');
      world.expectNoToken(log);
      expect(await world.readNode('worker-real-c')).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('gives cloud-init network data it cannot read (netplan instead of network_data.json) as a real config drive would: the boot fails visibly', async () => {
    const netplan = 'version: 2\nethernets:\n  eth0:\n    addresses: [10.0.0.5/24]\n';
    await world.createHost('real-d', '#cloud-config\nhostname: worker-real-d\n', netplan);
    await waitFor(() => world.phaseOf('real-d') === 'Failed', { what: 'failed', ...PATIENTLY });
    const log = world.farm.consoleLog('real-d');
    expect(log).toMatch(/lab-boot: cloud-init stage \S+ failed/);
    expect(log).toContain('network: WARNING no default gateway');
  });
});
