/** The lab API authenticates like kube-apiserver: HTTPS with its CA, bearer tokens, 401 Status, ServiceAccount tokens. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthenticationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { apiFetch } from '../../support/apiFetch.js';
import { serviceAccountKubeConfig } from '../../support/rbac.js';

const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

describe('lab API authentication', () => {
  let api: KubeApiServer;
  beforeAll(async () => {
    api = await startKubeApi({ loadDefaultCrds: false });
  });
  afterAll(async () => api.close());

  it('serves HTTPS with a certificate its kubeconfig CA verifies, and no kubeconfig skips verification', async () => {
    expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(api.kubeconfigYaml()).toContain('certificate-authority-data');
    expect(api.kubeconfigYaml()).not.toContain('insecure-skip-tls-verify');
    await expect(api.kubeConfig().makeApiClient(CoreV1Api).listNamespace()).resolves.toBeDefined();
  });

  it('answers 401 in kube-apiserver Status shape without credentials or with a made-up token', async () => {
    for (const token of [null, 'made-up-token', 'a.b.c']) {
      const res = await apiFetch(api, '/api/v1/namespaces', { token });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(UNAUTHORIZED);
    }
  });

  it('lets anonymous requests reach only the health endpoints', async () => {
    expect((await apiFetch(api, '/healthz', { token: null })).status).toBe(200);
    expect((await apiFetch(api, '/readyz', { token: null })).status).toBe(200);
    expect((await apiFetch(api, '/version', { token: null })).status).toBe(401);
    expect((await apiFetch(api, '/apis', { token: null })).status).toBe(401);
  });

  it('issues ServiceAccount tokens through the TokenRequest subresource, valid until the account is deleted', async () => {
    const kc = await serviceAccountKubeConfig(api, 'tokens', 'robot');
    const token = kc.getCurrentUser()!.token!;
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
    expect(review.status?.userInfo).toMatchObject({
      username: 'system:serviceaccount:tokens:robot',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:tokens', 'system:authenticated'],
    });
    await api.kubeConfig().makeApiClient(CoreV1Api).deleteNamespacedServiceAccount({ namespace: 'tokens', name: 'robot' });
    expect((await apiFetch(api, '/apis', { token })).status).toBe(401);
  });

  it('answers a TokenRequest in the real shape and refuses expirations under ten minutes', async () => {
    const core = api.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name: 'short' } } });
    const res = await apiFetch(api, '/api/v1/namespaces/default/serviceaccounts/short/token', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ spec: { expirationSeconds: 1200 } }),
    });
    expect(res.status).toBe(201);
    const answer = await res.json() as { kind: string; spec: object; status: { token: string; expirationTimestamp: string } };
    expect(answer).toMatchObject({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec: { audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 1200 } });
    expect(answer.status.token.split('.')).toHaveLength(3);
    expect(Date.parse(answer.status.expirationTimestamp) - Date.now()).toBeGreaterThan(1100_000);
    const tooShort = await apiFetch(api, '/api/v1/namespaces/default/serviceaccounts/short/token', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ spec: { expirationSeconds: 60 } }),
    });
    expect(tooShort.status).toBe(422);
    expect((await tooShort.json() as { message: string }).message).toBe(
      'TokenRequest.authentication.k8s.io "short" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
  });

  it('reviews tokens for components that check their callers, without echoing them', async () => {
    const kc = await serviceAccountKubeConfig(api, 'tokens', 'caller');
    const authn = api.kubeConfig().makeApiClient(AuthenticationV1Api);
    const good = await authn.createTokenReview({ body: { spec: { token: kc.getCurrentUser()!.token! } } });
    expect(good.status).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:tokens:caller' } });
    const bad = await authn.createTokenReview({ body: { spec: { token: 'not-a-token' } } });
    expect(bad.status?.authenticated).toBe(false);
    expect(JSON.stringify(bad)).not.toContain('not-a-token');
    const otherAudience = await authn.createTokenReview({ body: { spec: { token: kc.getCurrentUser()!.token!, audiences: ['dashboard'] } } });
    expect(otherAudience.status?.authenticated).toBe(false);
  });
});
