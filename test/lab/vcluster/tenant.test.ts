import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api } from '@kubernetes/client-node';
import { buildTokenSecret, generateToken } from '../../../lab/vcluster/bootstrapTokens.js';
import { startTenant, tenantKubeConfig, type Tenant } from '../../../lab/vcluster/tenant.js';
import { waitFor } from '../../support/waitFor.js';

const run = promisify(execFile);

/** curl with TLS verified against `caFile`; returns HTTP status and body. */
async function curl(caFile: string, url: string, extra: string[] = []): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '--cacert', caFile, '-w', '\n%{http_code}', ...extra, url]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

describe('tenant cluster', () => {
  let a: Tenant;
  let b: Tenant;
  let dir: string;
  let caA: string;
  let caB: string;

  beforeAll(async () => {
    [a, b] = await Promise.all([startTenant({ name: 'tenant-a', nodeGraceMs: 300 }), startTenant({ name: 'tenant-b' })]);
    dir = await mkdtemp(join(tmpdir(), 'tenant-test-'));
    caA = join(dir, 'a.crt');
    caB = join(dir, 'b.crt');
    await writeFile(caA, a.caCertPem);
    await writeFile(caB, b.caCertPem);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes kubeadm-config and kube-root-ca.crt in its API', async () => {
    const core = a.api.kubeConfig().makeApiClient(CoreV1Api);
    const kubeadm = await core.readNamespacedConfigMap({ name: 'kubeadm-config', namespace: 'kube-system' });
    expect(kubeadm.data?.ClusterConfiguration).toContain(`controlPlaneEndpoint: ${a.endpoint.replace('https://', '')}`);
    const root = await core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: 'kube-system' });
    expect(root.data?.['ca.crt']).toBe(a.caCertPem);
  });

  it('serves the join script for a valid token and refuses malformed, unknown, expired and revoked ones', async () => {
    const { token, secretName } = await a.createJoinToken({ ttlSeconds: 600 });
    expect(secretName).toBe(`bootstrap-token-${token.split('.')[0]}`);
    const ok = await curl(caA, `${a.endpoint}/node/join?token=${token}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('Preparing node…');
    expect(ok.body).toContain(`--discovery-token-ca-cert-hash "$CA_CERT_HASH"`);
    expect(ok.body).toContain(a.caCertHash);

    const malformed = await curl(caA, `${a.endpoint}/node/join?token=not-a-token`);
    expect(malformed).toEqual({ status: 400, body: 'invalid token format\n' });

    const unknown = generateToken().token;
    expect(await curl(caA, `${a.endpoint}/node/join?token=${unknown}`)).toEqual({ status: 401, body: 'token not found or revoked\n' });

    const wrongSecret = `${token.split('.')[0]}.${'x'.repeat(16)}`;
    expect((await curl(caA, `${a.endpoint}/node/join?token=${wrongSecret}`)).status).toBe(401);

    // An expired token Secret written straight into the tenant API (as the host platform may do).
    const expired = generateToken();
    const core = a.api.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespacedSecret({ namespace: 'kube-system', body: buildTokenSecret({ token: expired, expiresAt: new Date(Date.now() - 1000) }) });
    const expiredAnswer = await curl(caA, `${a.endpoint}/node/join?token=${expired.token}`);
    expect(expiredAnswer).toEqual({ status: 401, body: 'token expired\n' });

    await a.revokeJoinToken(token);
    expect(await curl(caA, `${a.endpoint}/node/join?token=${token}`)).toEqual({ status: 401, body: 'token not found or revoked\n' });
    await a.revokeJoinToken(token); // idempotent
  });

  it('never echoes the token in refusals', async () => {
    const token = generateToken().token;
    const answer = await curl(caA, `${a.endpoint}/node/join?token=${token}`);
    expect(answer.body).not.toContain(token);
    expect(answer.body).not.toContain(token.split('.')[1]);
  });

  it('refuses a token of another tenant', async () => {
    const { token } = await a.createJoinToken();
    expect((await curl(caB, `${b.endpoint}/node/join?token=${token}`)).status).toBe(401);
  });

  it('cannot be reached with another tenant\'s CA', async () => {
    const { token } = await a.createJoinToken();
    await expect(curl(caB, `${a.endpoint}/node/join?token=${token}`)).rejects.toThrow(/SSL|certificate/i);
  });

  it('registers a Node for a valid token, keeps it Ready on heartbeats and marks it NotReady when they stop', async () => {
    const { token } = await a.createJoinToken();
    const core = a.api.kubeConfig().makeApiClient(CoreV1Api);
    const refused = await curl(caA, `${a.endpoint}/node/register`, ['--data-urlencode', 'token=abcdef.0123456789abcdef', '--data-urlencode', 'nodeName=n0']);
    expect(refused.status).toBe(401);
    const registered = await curl(caA, `${a.endpoint}/node/register`, [
      '--data-urlencode', `token=${token}`, '--data-urlencode', 'nodeName=worker-1',
      '--data-urlencode', 'labels=node.kubernetes.io/instance-type=metal3-provider.gpu,team=ml',
      '--data-urlencode', 'taints=gpu=true:NoSchedule,dedicated:NoExecute',
    ]);
    expect(registered.status).toBe(200);
    const credential = /credential=(\w+)/.exec(registered.body)![1];
    const node = await core.readNode({ name: 'worker-1' });
    expect(node.metadata?.labels).toMatchObject({
      'kubernetes.io/hostname': 'worker-1', 'node.kubernetes.io/instance-type': 'metal3-provider.gpu', team: 'ml',
    });
    expect(node.spec?.taints).toEqual([{ key: 'gpu', value: 'true', effect: 'NoSchedule' }, { key: 'dedicated', effect: 'NoExecute' }]);
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.32\./);
    const secret = await core.readNamespacedSecret({ name: `bootstrap-token-${token.split('.')[0]}`, namespace: 'kube-system' });
    expect(secret.metadata?.annotations?.['vcluster.loft.sh/token-used-by']).toBe('worker-1');

    const badBeat = await curl(caA, `${a.endpoint}/node/heartbeat`, ['-H', 'Authorization: Bearer nope', '--data-urlencode', 'node=worker-1']);
    expect(badBeat.status).toBe(401);
    const notReady = await waitFor(async () => {
      const n = await core.readNode({ name: 'worker-1' });
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.status === 'Unknown' ? ready : undefined;
    }, { what: 'NotReady' });
    expect(notReady.reason).toBe('NodeStatusUnknown');
    const beat = await curl(caA, `${a.endpoint}/node/heartbeat`, ['-H', `Authorization: Bearer ${credential}`, '--data-urlencode', 'node=worker-1']);
    expect(beat.status).toBe(204);
    const readyAgain = await core.readNode({ name: 'worker-1' });
    expect(readyAgain.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('rejects invalid node labels naming the label', async () => {
    const { token } = await a.createJoinToken();
    const answer = await curl(caA, `${a.endpoint}/node/register`, [
      '--data-urlencode', `token=${token}`, '--data-urlencode', 'nodeName=worker-2', '--data-urlencode', 'labels=bad key=x',
    ]);
    expect(answer).toEqual({ status: 400, body: 'invalid node label key "bad key"\n' });
    const badTaint = await curl(caA, `${a.endpoint}/node/register`, [
      '--data-urlencode', `token=${token}`, '--data-urlencode', 'nodeName=worker-2', '--data-urlencode', 'taints=gpu=true:Sometimes',
    ]);
    expect(badTaint).toEqual({ status: 400, body: 'invalid node taint "gpu=true:Sometimes"\n' });
  });

  it('serves its Kubernetes API through the HTTPS endpoint with a CA-verified kubeconfig', async () => {
    const core = tenantKubeConfig(a).makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('kube-system');
    await a.writeAccessFiles(join(dir, 'access'));
    expect((await readFile(join(dir, 'access', 'endpoint'), 'utf8')).trim()).toBe(a.endpoint);
    expect(await readFile(join(dir, 'access', 'ca.crt'), 'utf8')).toBe(a.caCertPem);
    expect(await readFile(join(dir, 'access', 'kubeconfig'), 'utf8')).toContain(a.endpoint);
  });
});
