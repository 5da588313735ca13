/**
 * The dashboard's access check against the lab's management API (HTTPS, tokens, RBAC) with the real
 * client: which bind addresses need a token; TokenReview + SubjectAccessReview letting exactly the
 * users RBAC allows to list NodeClaims look; a missing token refused without asking the API; a
 * review that cannot be made refusing (fail closed).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { isLoopback, TokenReviewAccess } from '../../../platform/dashboard/access.js';
import { silentLogger } from '../../../platform/observability/logger.js';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { fleetViewers, VIEWERS_NAMESPACE, type ViewerTokens } from '../../dashboard/viewers.js';
import { clusterRoleBinding, createAll, saSubject, serviceAccountKubeConfig } from '../../support/rbac.js';

describe('dashboard access', () => {
  let api: KubeApiServer;
  let tokens: ViewerTokens;
  beforeAll(async () => {
    api = await startKubeApi({ name: 'dashboard-access' });
    tokens = await fleetViewers(api);
  });
  const reviews = () => api.stats.snapshot().byResource.tokenreviews?.CREATE ?? 0;
  afterAll(async () => api?.close());

  it('needs no token on loopback only', () => {
    expect(['127.0.0.1', '127.10.0.1', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.5', 'dashboard.example'].map(isLoopback)).toEqual([false, false, false, false]);
  });

  it('lets a user whom RBAC allows to list nodeclaims look, asking the API once while the answer is fresh', async () => {
    const access = new TokenReviewAccess(api.kubeConfig(), silentLogger());
    const before = reviews();
    await expect(access.check(`Bearer ${tokens.viewer}`)).resolves.toEqual({ allowed: true, user: `system:serviceaccount:${VIEWERS_NAMESPACE}:viewer` });
    await expect(access.check(`Bearer ${tokens.viewer}`)).resolves.toMatchObject({ allowed: true });
    expect(reviews() - before).toBe(1);
  });

  it('refuses (403) a valid token whose user may not list nodeclaims, naming the user', async () => {
    const access = new TokenReviewAccess(api.kubeConfig(), silentLogger());
    await expect(access.check(`Bearer ${tokens.stranger}`)).resolves.toEqual({
      allowed: false, status: 403, message: `user "system:serviceaccount:${VIEWERS_NAMESPACE}:stranger" may not list nodeclaims.management.loft.sh`,
    });
  });

  it('refuses (401) a token the management cluster does not know', async () => {
    const access = new TokenReviewAccess(api.kubeConfig(), silentLogger());
    const forged = `${tokens.viewer.slice(0, -4)}AAAA`;
    await expect(access.check(`Bearer ${forged}`)).resolves.toEqual({ allowed: false, status: 401, message: 'the token was not accepted by the management cluster' });
  });

  it('answers again after the cached answer expires: a revoked user is refused', async () => {
    let now = 1_000_000;
    const access = new TokenReviewAccess(api.kubeConfig(), silentLogger(), () => now);
    const token = (await fleetViewersWithName(api, 'temporary'));
    await expect(access.check(`Bearer ${token}`)).resolves.toMatchObject({ allowed: true });
    await api.kubeConfig().makeApiClient(RbacAuthorizationV1Api).deleteClusterRoleBinding({ name: 'fleet-viewer-temporary' });
    await expect(access.check(`Bearer ${token}`)).resolves.toMatchObject({ allowed: true }); // still cached
    now += 11_000;
    await expect(access.check(`Bearer ${token}`)).resolves.toMatchObject({ allowed: false, status: 403 });
  });

  it('refuses a request without a bearer token without asking the API', async () => {
    const access = new TokenReviewAccess(api.kubeConfig(), silentLogger());
    const before = api.stats.snapshot().totalRequests;
    for (const header of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer ']) {
      await expect(access.check(header)).resolves.toMatchObject({ allowed: false, status: 401 });
    }
    expect(api.stats.snapshot().totalRequests).toBe(before);
  });

  it('refuses, without echoing the token, when the API cannot review it', async () => {
    api.faults.set({ errorRate: { CREATE: 1 }, match: (r) => r.resource === 'tokenreviews' });
    try {
      const access = new TokenReviewAccess(api.kubeConfig(), silentLogger());
      const first = await access.check(`Bearer ${tokens.viewer}`);
      expect(first).toMatchObject({ allowed: false, status: 503 });
      expect(JSON.stringify(first)).not.toContain(tokens.viewer);
      // Not remembered: the next request asks again (and is refused again while the API cannot answer).
      const asked = reviews();
      await expect(access.check(`Bearer ${tokens.viewer}`)).resolves.toMatchObject({ allowed: false, status: 503 });
      expect(reviews()).toBe(asked + 1);
    } finally {
      api.faults.clear();
    }
  });
});

/** One more viewer with a binding of its own (so a test can revoke it alone); answers its token. */
async function fleetViewersWithName(api: KubeApiServer, name: string): Promise<string> {
  const kc = await serviceAccountKubeConfig(api, VIEWERS_NAMESPACE, name);
  await createAll(api.kubeConfig(), [clusterRoleBinding(`fleet-viewer-${name}`, 'fleet-viewer', [saSubject(VIEWERS_NAMESPACE, name)])]);
  return kc.getCurrentUser()!.token!;
}
