/**
 * One tenant cluster of the lab: its own Kubernetes API, its own CA, and an HTTPS endpoint that
 * serves the node join flow and proxies the API. Join tokens are bootstrap-token Secrets in the
 * tenant API, so anyone holding the kubeconfig can mint or revoke them the way vCluster does.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { Logger } from '../../plugin/contract.js';
import { startKubeApi, type KubeApiServer } from '../kube/index.js';
import { buildTokenSecret, generateToken, parseToken, secretNameFor, TOKEN_NAMESPACE } from './bootstrapTokens.js';
import { JoinEndpoint } from './joinEndpoint.js';
import { NodeRegistry } from './nodeRegistry.js';
import type { MachineLookup } from './machine.js';
import { createPki } from '../pki.js';
import { startTenantWorkloads, type TenantWorkloads } from './workloads.js';

export interface TenantOptions {
  name: string;
  project?: string;
  /** Interface the join endpoint listens on. Default 127.0.0.1. */
  host?: string;
  logger?: Logger;
  /** Default TTL of join tokens. Default 3600; 0 means tokens never expire. */
  tokenTtlSeconds?: number;
  /** Heartbeat silence after which a Node goes NotReady. Default 40 s (kube-controller-manager's grace). */
  nodeGraceMs?: number;
  /** The machines behind Nodes: their kubelet reports capacity, the GPU device plugin `nvidia.com/gpu`. */
  machines?: MachineLookup;
}

export interface JoinTokenOptions {
  ttlSeconds?: number;
  /** Value of `vcluster.loft.sh/token-node-type`: `worker` (default) or `control-plane`. */
  nodeType?: string;
  /** Extra labels on the token Secret. */
  labels?: Record<string, string>;
}

export interface JoinToken {
  token: string;
  secretName: string;
  /** Undefined when the token never expires. */
  expiresAt?: Date;
}

export interface Tenant {
  name: string;
  project?: string;
  api: KubeApiServer;
  /** `https://127.0.0.1:PORT`: join endpoint and API address (own CA). */
  endpoint: string;
  caCertPem: string;
  /** `sha256:<hex>` of the CA's SubjectPublicKeyInfo (kubeadm format). */
  caCertHash: string;
  /** A kubeconfig for the tenant API through the HTTPS endpoint, verifying the tenant CA. */
  kubeConfigYaml(): string;
  createJoinToken(opts?: JoinTokenOptions): Promise<JoinToken>;
  revokeJoinToken(tokenOrSecretName: string): Promise<void>;
  /** Writes `dir/kubeconfig`, `dir/ca.crt` and `dir/endpoint`. */
  writeAccessFiles(dir: string): Promise<void>;
  close(): Promise<void>;
}

async function createIgnoringConflict(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

async function seedTenantApi(core: CoreV1Api, endpoint: string, caCertPem: string): Promise<void> {
  for (const name of ['kube-system', 'kube-public', 'default']) {
    await createIgnoringConflict(() => core.createNamespace({ body: { metadata: { name } } }));
  }
  const hostPort = endpoint.replace(/^https:\/\//, '');
  const clusterConfiguration = stringify({
    apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration', kubernetesVersion: 'v1.32.4',
    controlPlaneEndpoint: hostPort, clusterName: 'kubernetes',
    networking: { serviceSubnet: '10.96.0.0/12', podSubnet: '10.244.0.0/16', dnsDomain: 'cluster.local' },
  });
  await createIgnoringConflict(() => core.createNamespacedConfigMap({
    namespace: 'kube-system', body: { metadata: { name: 'kubeadm-config' }, data: { ClusterConfiguration: clusterConfiguration } },
  }));
  await createIgnoringConflict(() => core.createNamespacedConfigMap({
    namespace: 'kube-system', body: { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': caCertPem } },
  }));
}

export async function startTenant(opts: TenantOptions): Promise<Tenant> {
  const logger = opts.logger?.child({ tenant: opts.name });
  const pki = await createPki(opts.name);
  // The tenant API is served with the tenant's own CA, and its admin token is the tenant's credential.
  const api = await startKubeApi({ port: 0, loadDefaultCrds: false, name: opts.name, pki });
  const core = api.kubeConfig().makeApiClient(CoreV1Api);
  const nodes = new NodeRegistry({ core, logger, graceMs: opts.nodeGraceMs ?? 40_000, machines: opts.machines });
  const endpointServer = new JoinEndpoint({
    tenantName: opts.name, host: opts.host ?? '127.0.0.1', tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem },
    caCertPem: pki.caCertPem, caCertHash: pki.caCertHash, apiUrl: api.url, core, nodes, logger,
  });
  let endpoint: string;
  let workloads: TenantWorkloads | undefined;
  try {
    endpoint = await endpointServer.listen();
    await seedTenantApi(core, endpoint, pki.caCertPem);
    workloads = await startTenantWorkloads(api.kubeConfig(), { machines: opts.machines, logger });
  } catch (err) {
    await workloads?.stop();
    nodes.stop();
    await endpointServer.close();
    await api.close();
    throw err;
  }

  const kubeConfigYaml = () => stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': opts.name,
    clusters: [{ name: opts.name, cluster: { server: endpoint, 'certificate-authority-data': Buffer.from(pki.caCertPem).toString('base64') } }],
    users: [{ name: `${opts.name}-admin`, user: { token: api.adminToken } }],
    contexts: [{ name: opts.name, context: { cluster: opts.name, user: `${opts.name}-admin`, namespace: 'default' } }],
  });

  return {
    name: opts.name,
    project: opts.project,
    api,
    endpoint,
    caCertPem: pki.caCertPem,
    caCertHash: pki.caCertHash,
    kubeConfigYaml,
    async createJoinToken(tokenOpts = {}) {
      const ttl = tokenOpts.ttlSeconds ?? opts.tokenTtlSeconds ?? 3600;
      const token = generateToken();
      const expiresAt = ttl > 0 ? new Date(Date.now() + ttl * 1000) : undefined;
      const body = buildTokenSecret({ token, expiresAt, nodeType: tokenOpts.nodeType, labels: tokenOpts.labels });
      await core.createNamespacedSecret({ namespace: TOKEN_NAMESPACE, body });
      logger?.info({ tokenId: token.id, expiresAt }, 'join token created');
      return { token: token.token, secretName: secretNameFor(token.id), expiresAt };
    },
    async revokeJoinToken(tokenOrSecretName) {
      const name = tokenOrSecretName.startsWith('bootstrap-token-')
        ? tokenOrSecretName
        : secretNameFor(parseToken(tokenOrSecretName)?.id ?? tokenOrSecretName);
      try {
        await core.deleteNamespacedSecret({ name, namespace: TOKEN_NAMESPACE });
        logger?.info({ secret: name }, 'join token revoked');
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    },
    async writeAccessFiles(dir) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'kubeconfig'), kubeConfigYaml(), { mode: 0o600 });
      await writeFile(join(dir, 'ca.crt'), pki.caCertPem);
      await writeFile(join(dir, 'endpoint'), `${endpoint}\n`);
    },
    async close() {
      await workloads?.stop();
      nodes.stop();
      await endpointServer.close();
      await api.close();
    },
  };
}

/** A KubeConfig object for a tenant (what a client of the access Secret would load). */
export function tenantKubeConfig(tenant: Pick<Tenant, 'kubeConfigYaml'>): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(tenant.kubeConfigYaml());
  return kc;
}
