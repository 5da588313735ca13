/**
 * The claim's hot-path requests (JsonRequests, used by KubeClient for the data Secret and IP reservation
 * creates, the host PUT and the record read) over real HTTPS against the lab API: the same answers, the same
 * ApiException (code, raw body, headers) as client-node's generated API for a 409 and a 403, the same auth
 * (bearer token, exec credential plugin) and TLS verification never off.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { KeepAliveKubeConfig } from '../../plugin/contract.js';
import { JsonRequests, PARTIAL_OBJECT_METADATA } from '../../providers/metal3/jsonRequests.js';
import { isAlreadyExists, isConflict, KubeClient } from '../../providers/metal3/kube.js';
import type { BareMetalHost } from '../../providers/metal3/types.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { serviceAccountKubeConfig } from '../support/rbac.js';

const BMH = { group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts' };

/** What a failed call threw: the ApiException fields KubeClient's error translation reads. */
async function thrown(call: Promise<unknown>): Promise<{ isApiException: boolean; code: unknown; body: unknown; contentType: unknown }> {
  try {
    await call;
  } catch (err) {
    const e = err as ApiException<unknown>;
    return { isApiException: err instanceof ApiException, code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body, contentType: e.headers?.['content-type'] };
  }
  throw new Error('expected the call to fail');
}

describe('JsonRequests against the lab API over HTTPS', () => {
  let lab: TestLab;
  let keepAlive: KeepAliveKubeConfig;
  let json: JsonRequests;
  let custom: CustomObjectsApi;
  const hostPath = (name: string) => `/apis/metal3.io/v1alpha1/namespaces/${lab.namespace}/baremetalhosts/${name}`;

  beforeAll(async () => {
    lab = await startTestLab({ namespace: 'json-requests' });
    keepAlive = new KeepAliveKubeConfig(lab.kc);
    json = new JsonRequests(keepAlive.kubeConfig);
    custom = keepAlive.kubeConfig.makeApiClient(CustomObjectsApi);
    await lab.createHost('h-0');
    await lab.createHost('h-1');
  });
  afterAll(async () => {
    keepAlive?.dispose();
    await lab?.close();
  });

  it('reads a host exactly as client-node reads it', async () => {
    const generated = await custom.getNamespacedCustomObject({ ...BMH, namespace: lab.namespace, name: 'h-0' });
    expect(await json.send('GET', hostPath('h-0'))).toEqual(generated);
  });

  it('throws the ApiException client-node throws for a stale PUT (409 Conflict)', async () => {
    const host = await json.send<BareMetalHost>('GET', hostPath('h-1'));
    await json.send('PUT', hostPath('h-1'), { ...host, metadata: { ...host.metadata, labels: { touched: 'yes' } } });
    const thin = await thrown(json.send('PUT', hostPath('h-1'), host));
    const generated = await thrown(custom.replaceNamespacedCustomObject({ ...BMH, namespace: lab.namespace, name: 'h-1', body: host }));
    expect(thin).toEqual(generated);
    expect(thin).toMatchObject({ isApiException: true, code: 409, body: { kind: 'Status', reason: 'Conflict' }, contentType: 'application/json' });
  });

  it('throws the ApiException client-node throws for a user RBAC refuses (403 Forbidden)', async () => {
    const stranger = new KeepAliveKubeConfig(await serviceAccountKubeConfig(lab.api, lab.namespace, 'stranger'));
    try {
      const body = { metadata: { name: 'nope' }, data: { a: 'Yg==' } };
      const thin = await thrown(new JsonRequests(stranger.kubeConfig).send('POST', `/api/v1/namespaces/${lab.namespace}/secrets`, body));
      const generated = await thrown(stranger.kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({ namespace: lab.namespace, body }));
      expect(thin).toEqual(generated);
      expect(thin).toMatchObject({ isApiException: true, code: 403, body: { reason: 'Forbidden' } });
      expect((thin.body as { message: string }).message).toContain('cannot create resource "secrets"');
    } finally {
      stranger.dispose();
    }
  });

  it('authenticates with an exec credential plugin, and a refused token is client-node\'s 401 (no body)', async () => {
    const execUser = (token: string) => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: lab.kc.clusters,
        contexts: [{ name: 'exec', cluster: lab.kc.getCurrentCluster()!.name, user: 'exec-user' }],
        users: [{
          name: 'exec-user',
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, interactiveMode: 'Never',
            args: ['-e', 'process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: process.env.LAB_TOKEN } }))'],
            env: [{ name: 'LAB_TOKEN', value: token }],
          },
        }],
        currentContext: 'exec',
      });
      return new KeepAliveKubeConfig(kc);
    };
    const good = execUser(lab.api.adminToken);
    const bad = execUser('not-a-token');
    try {
      const host = await new JsonRequests(good.kubeConfig).send<BareMetalHost>('GET', hostPath('h-0'));
      expect(host.metadata.name).toBe('h-0');
      const thin = await thrown(new JsonRequests(bad.kubeConfig).send('GET', hostPath('h-0')));
      const generated = await thrown(bad.kubeConfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...BMH, namespace: lab.namespace, name: 'h-0' }));
      expect(thin).toEqual(generated);
      expect(thin).toMatchObject({ isApiException: true, code: 401, body: undefined });
    } finally {
      good.dispose();
      bad.dispose();
    }
  });

  it('verifies the server certificate: a kubeconfig without the lab CA is refused before any request', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'no-ca', server: lab.kc.getCurrentCluster()!.server, skipTLSVerify: false }],
      contexts: [{ name: 'no-ca', cluster: 'no-ca', user: 'admin' }],
      users: [{ name: 'admin', token: lab.api.adminToken }],
      currentContext: 'no-ca',
    });
    const noCa = new KeepAliveKubeConfig(kc);
    try {
      await expect(new JsonRequests(noCa.kubeConfig).send('GET', hostPath('h-0'))).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    } finally {
      noCa.dispose();
    }
  });

  it('asks for metadata only where it says so: a Secret read carries no data', async () => {
    await lab.core.createNamespacedSecret({ namespace: lab.namespace, body: { metadata: { name: 'meta-only', annotations: { a: 'b' } }, data: { userData: 'c2VjcmV0' } } });
    const answer = await json.send<Record<string, unknown>>('GET', `/api/v1/namespaces/${lab.namespace}/secrets/meta-only`, undefined, PARTIAL_OBJECT_METADATA);
    expect(answer).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'meta-only', annotations: { a: 'b' } } });
    expect(answer.data).toBeUndefined();
  });
});

describe('KubeClient on the hot path', () => {
  let lab: TestLab;
  let kube: KubeClient;

  beforeAll(async () => {
    lab = await startTestLab({ namespace: 'hot-path' });
    kube = new KubeClient(lab.kc);
    await lab.createHost('h-0');
  });
  afterAll(async () => {
    kube?.dispose();
    await lab?.close();
  });

  it('turns a second create of the same Secret into AlreadyExists and a stale host PUT into Conflict', async () => {
    const body = { metadata: { name: 'twice' }, type: 'Opaque', data: { userData: 'eA==' } };
    const created = await kube.createSecret(lab.namespace, body);
    expect(created).toMatchObject({ name: 'twice', namespace: lab.namespace });
    expect(Number(created.resourceVersion)).toBeGreaterThan(0);
    await expect(kube.createSecret(lab.namespace, body).catch((e: unknown) => isAlreadyExists(e))).resolves.toBe(true);
    const host = (await kube.getHost(lab.namespace, 'h-0'))!;
    await kube.replaceHost({ ...host, metadata: { ...host.metadata, labels: { first: 'yes' } } });
    await expect(kube.replaceHost(host).catch((e: unknown) => isConflict(e))).resolves.toBe(true);
  });

  it('keeps the stored status whatever status the cached host carries, and answers the whole host', async () => {
    await lab.setHostState('h-0', 'available');
    const host = (await kube.getHost(lab.namespace, 'h-0'))!;
    const written = await kube.replaceHost({ ...host, spec: { ...host.spec, online: true }, status: { provisioning: { state: 'made-up' } } as never });
    expect(written.spec.online).toBe(true);
    expect(written.status).toEqual(host.status);
    expect(written.status?.provisioning?.state).toBe('available');
  });

  it('reads a Secret\'s metadata without its data, and undefined for one that is absent', async () => {
    await kube.createSecret(lab.namespace, { metadata: { name: 'record', annotations: { 'metal3.vcluster.com/host': 'h-0' } }, data: { userData: 'eA==' } });
    const metadata = await kube.getSecretMetadata(lab.namespace, 'record');
    expect(metadata?.annotations).toEqual({ 'metal3.vcluster.com/host': 'h-0' });
    expect(metadata).not.toHaveProperty('data');
    expect(await kube.getSecretMetadata(lab.namespace, 'absent')).toBeUndefined();
  });
});
