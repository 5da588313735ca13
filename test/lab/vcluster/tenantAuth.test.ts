/** Tenant APIs require credentials: each tenant kubeconfig works with the real kubectl, and no tenant's credential opens another. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startTenant, type Tenant } from '../../../lab/vcluster/index.js';
import { apiFetch } from '../../support/apiFetch.js';
import { kubectl } from '../../support/kubectl.js';

const TENANTS = ['tenant-a', 'tenant-b'];

const tokenIn = async (kubeconfig: string) =>
  (parse(await readFile(kubeconfig, 'utf8')) as { users: { user: { token?: string } }[] }).users[0].user.token!;

describe('tenant API credentials', () => {
  const tenants: Tenant[] = [];
  let dir: string;
  const kubeconfigOf = (t: Tenant) => join(dir, t.name, 'kubeconfig');
  const endpointOf = (t: Tenant) => ({ url: t.endpoint, caCertPem: t.caCertPem });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tenant-auth-'));
    for (const name of TENANTS) {
      const t = await startTenant({ name });
      tenants.push(t);
      await t.writeAccessFiles(join(dir, name));
    }
  });
  afterAll(async () => {
    await Promise.all(tenants.map((t) => t.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a kubeconfig the real kubectl uses without prompting, CA verified', async () => {
    for (const t of tenants) {
      const got = await kubectl(kubeconfigOf(t), ['get', 'nodes']);
      expect([t.name, got.code, got.stderr]).toEqual([t.name, 0, 'No resources found\n']);
      expect(await readFile(kubeconfigOf(t), 'utf8')).not.toContain('insecure-skip-tls-verify');
    }
  });

  it('refuses requests without credentials with 401', async () => {
    for (const t of tenants) {
      const res = await apiFetch({ ...endpointOf(t), adminToken: '' }, '/api/v1/nodes', { token: null });
      expect([t.name, res.status, (await res.json() as { reason: string }).reason]).toEqual([t.name, 401, 'Unauthorized']);
    }
  });

  it('refuses one tenant\'s credential at every other tenant\'s API', async () => {
    for (const owner of tenants) {
      const token = await tokenIn(kubeconfigOf(owner));
      for (const other of tenants.filter((t) => t !== owner)) {
        const res = await apiFetch({ ...endpointOf(other), adminToken: token }, '/api/v1/nodes');
        expect([owner.name, other.name, res.status]).toEqual([owner.name, other.name, 401]);
        // kubectl with the owner's token but the other tenant's server and CA.
        const crossed = join(dir, `${owner.name}-at-${other.name}.kubeconfig`);
        const config = parse(await readFile(kubeconfigOf(other), 'utf8')) as { users: { user: { token: string } }[] };
        config.users[0].user.token = token;
        await writeFile(crossed, JSON.stringify(config), { mode: 0o600 });
        const got = await kubectl(crossed, ['get', 'nodes']);
        expect([owner.name, other.name, got.code, got.stderr.trim()]).toEqual([owner.name, other.name, 1, 'error: You must be logged in to the server (Unauthorized)']);
      }
    }
  });

  it('keeps the join endpoint open only to valid bootstrap tokens, whatever API credential is sent', async () => {
    const [a] = tenants;
    const adminToken = await tokenIn(kubeconfigOf(a));
    const bogus = await apiFetch({ ...endpointOf(a), adminToken }, '/node/join?token=abcdef.0123456789abcdef');
    expect(bogus.status).toBe(401);
    const { token } = await a.createJoinToken();
    const ok = await apiFetch({ ...endpointOf(a), adminToken: '' }, `/node/join?token=${encodeURIComponent(token)}`, { token: null });
    expect(ok.status).toBe(200);
  });
});
