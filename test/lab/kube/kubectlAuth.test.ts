/** The real kubectl, without a terminal, against the lab API's authentication and RBAC. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { kubectl } from '../../support/kubectl.js';
import { clusterRole, clusterRoleBinding, createAll, role, roleBinding, saSubject, serviceAccountKubeConfig } from '../../support/rbac.js';

const NS = 'metal3-system';

describe('kubectl auth against the lab API', () => {
  let api: KubeApiServer;
  let dir: string;
  let adminKc: string;
  const saKubeconfig = async (name: string) => {
    const kc = await serviceAccountKubeConfig(api, NS, name);
    const file = join(dir, `${name}.kubeconfig`);
    await writeFile(file, api.kubeconfigYaml({ name, token: kc.getCurrentUser()!.token!, namespace: NS }), { mode: 0o600 });
    return file;
  };

  beforeAll(async () => {
    api = await startKubeApi();
    dir = await mkdtemp(join(tmpdir(), 'kubectl-auth-'));
    adminKc = join(dir, 'admin.kubeconfig');
    await api.writeKubeconfig(adminKc);
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers kubectl auth can-i from the caller\'s RBAC rules', async () => {
    const kc = await saKubeconfig('viewer');
    await createAll(api.kubeConfig(), [
      role(NS, 'bmh-view', [{ apiGroups: ['metal3.io'], resources: ['baremetalhosts'], verbs: ['get', 'list', 'watch'] }]),
      roleBinding(NS, 'bmh-view', { kind: 'Role', name: 'bmh-view' }, [saSubject(NS, 'viewer')]),
    ]);
    expect(await kubectl(kc, ['auth', 'can-i', 'list', 'baremetalhosts.metal3.io', '-n', NS])).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(await kubectl(kc, ['auth', 'can-i', 'delete', 'baremetalhosts.metal3.io', '-n', NS])).toMatchObject({ code: 1, stdout: 'no\n' });
    expect(await kubectl(kc, ['auth', 'can-i', 'list', 'baremetalhosts.metal3.io', '-n', 'default'])).toMatchObject({ code: 1 });
    const rules = await kubectl(kc, ['auth', 'can-i', '--list', '-n', NS]);
    expect(rules.stdout).toMatch(/^baremetalhosts\.metal3\.io\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  });

  it('shows a refused kubectl get in kube-apiserver\'s words', async () => {
    const kc = await saKubeconfig('nobody');
    const got = await kubectl(kc, ['get', 'baremetalhosts.metal3.io']);
    expect(got.code).toBe(1);
    expect(got.stderr).toContain(`Error from server (Forbidden): baremetalhosts.metal3.io is forbidden: User "system:serviceaccount:${NS}:nobody" cannot list resource "baremetalhosts" in API group "metal3.io" in the namespace "${NS}"`);
  });

  it('impersonates with --as for a caller allowed to impersonate, and refuses it otherwise', async () => {
    await saKubeconfig('target');
    const asTarget = ['--as', `system:serviceaccount:${NS}:target`];
    expect(await kubectl(adminKc, [...asTarget, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).toMatchObject({ code: 0, stdout: `system:serviceaccount:${NS}:target` });
    expect(await kubectl(adminKc, [...asTarget, 'auth', 'can-i', 'list', 'secrets', '-n', NS])).toMatchObject({ stdout: 'no\n' });
    const deputy = await saKubeconfig('deputy');
    const refused = await kubectl(deputy, [...asTarget, 'get', 'pods']);
    expect(refused.stderr).toContain(`serviceaccounts "target" is forbidden: User "system:serviceaccount:${NS}:deputy" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "${NS}"`);
    await createAll(api.kubeConfig(), [
      clusterRole('impersonate-target', [{ apiGroups: [''], resources: ['serviceaccounts'], resourceNames: ['target'], verbs: ['impersonate'] }]),
      clusterRoleBinding('deputy-impersonates', 'impersonate-target', [saSubject(NS, 'deputy')]),
    ]);
    expect(await kubectl(deputy, [...asTarget, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).toMatchObject({ code: 0, stdout: `system:serviceaccount:${NS}:target` });
  });

  it('creates a ServiceAccount token with kubectl create token that kubectl then authenticates with', async () => {
    await saKubeconfig('robot');
    const created = await kubectl(adminKc, ['create', 'token', 'robot', '-n', NS, '--duration', '15m']);
    expect(created.code).toBe(0);
    const whoami = await kubectl(adminKc, ['--token', created.stdout.trim(), 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(whoami).toMatchObject({ code: 0, stdout: `system:serviceaccount:${NS}:robot` });
  });

  it('fails with Unauthorized for a wrong token, without prompting', async () => {
    const wrong = join(dir, 'wrong.kubeconfig');
    await writeFile(wrong, api.kubeconfigYaml({ token: 'wrong-token' }), { mode: 0o600 });
    const got = await kubectl(wrong, ['get', 'namespaces']);
    expect(got.code).toBe(1);
    expect(got.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});
