/**
 * The dashboard's access check against the lab's management API with the real client: which bind
 * addresses need a token, a missing token refused without asking the API, and a review that
 * cannot be made refusing (fail closed).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isLoopback, TokenReviewAccess } from '../../../platform/dashboard/access.js';
import { silentLogger } from '../../../platform/observability/logger.js';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';

describe('dashboard access', () => {
  let api: KubeApiServer;
  beforeAll(async () => {
    api = await startKubeApi({ name: 'dashboard-access' });
  });
  afterAll(async () => api?.close());

  it('needs no token on loopback only', () => {
    expect(['127.0.0.1', '127.10.0.1', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.5', 'dashboard.example'].map(isLoopback)).toEqual([false, false, false, false]);
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
      const first = await access.check('Bearer some-token');
      expect(first).toMatchObject({ allowed: false, status: 503 });
      expect(JSON.stringify(first)).not.toContain('some-token');
      await expect(access.check('Bearer some-token')).resolves.toMatchObject({ allowed: false, status: 503 });
    } finally {
      api.faults.clear();
    }
  });
});
