/**
 * Kubernetes access for the provider: typed calls for BareMetalHosts, platform objects, Secrets and
 * ConfigMaps, with ApiException translated into the contract's typed errors. Nothing else talks HTTP.
 * The claim's four site requests (data Secret create, IP reservation create, host PUT, record read) go
 * through JsonRequests (same KubeConfig, auth, agent and ApiException, without client-node's generated
 * pipeline); the creates and the record read ask for metadata-only answers. Everything else uses client-node.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Secret,
} from '@kubernetes/client-node';
import { inject, injectable } from 'tsyringe';
import { isNotFound, KeepAliveKubeConfig, NotFoundError, TransientError, type ListPage } from '../../plugin/contract.js';
import { JsonRequests, PARTIAL_OBJECT_METADATA } from './jsonRequests.js';
import { BMH_API, LOFT_API } from './names.js';
import { KUBE_CONFIG, MANAGEMENT_KUBE_CONFIG } from './tokens.js';
import type { BareMetalHost } from './types.js';

/** A 409 from the API: `Conflict` (stale resourceVersion) or `AlreadyExists` (create of an existing name). */
export class KubeConflictError extends Error {
  readonly reason: 'Conflict' | 'AlreadyExists';
  constructor(reason: 'Conflict' | 'AlreadyExists', message: string) {
    super(message);
    this.name = 'KubeConflictError';
    this.reason = reason;
  }
}

/** An object's metadata as the API answers it (JSON: timestamps are strings), e.g. a PartialObjectMetadata answer. */
export interface WireMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export const isConflict = (err: unknown): err is KubeConflictError =>
  err instanceof KubeConflictError && err.reason === 'Conflict';
export const isAlreadyExists = (err: unknown): err is KubeConflictError =>
  err instanceof KubeConflictError && err.reason === 'AlreadyExists';

@injectable()
export class KubeClient {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  /** OSImages, SSHKeys, NodeEnvironments: the management cluster's (the site's own when that is the same). */
  private readonly platform: CustomObjectsApi;
  private readonly connections: KeepAliveKubeConfig[];
  /** The site's hot-path requests (see the file comment). */
  private readonly json: JsonRequests;
  /** The site cluster's KubeConfig with one keep-alive agent (see common/keepAlive.ts); informers use it too. */
  readonly kubeConfig: KubeConfig;

  constructor(
    @inject(KUBE_CONFIG) siteKubeConfig: KubeConfig,
    @inject(MANAGEMENT_KUBE_CONFIG) managementKubeConfig: KubeConfig = siteKubeConfig,
  ) {
    const site = new KeepAliveKubeConfig(siteKubeConfig);
    const management = managementKubeConfig === siteKubeConfig ? site : new KeepAliveKubeConfig(managementKubeConfig);
    this.connections = management === site ? [site] : [site, management];
    this.kubeConfig = site.kubeConfig;
    this.custom = this.kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.platform = management.kubeConfig.makeApiClient(CustomObjectsApi);
    this.json = new JsonRequests(this.kubeConfig);
  }

  /** tsyringe calls this from container.dispose(): closes the kept-alive connections. */
  dispose(): void {
    for (const connections of this.connections) connections.dispose();
  }

  /** One page of the BareMetalHosts in `namespace` (all of them without `page`). */
  listHosts(namespace: string, page?: ListPage): Promise<KubernetesListObject<BareMetalHost>> {
    return call(`list BareMetalHosts in ${namespace}`, () =>
      this.custom.listNamespacedCustomObject({ ...bmh, namespace, limit: page?.limit, _continue: page?.continue }),
    ) as Promise<KubernetesListObject<BareMetalHost>>;
  }

  /** Hosts matching a label selector, read live (not from the cache). */
  async listHostsMatching(namespace: string, labelSelector: string): Promise<BareMetalHost[]> {
    const list = (await call(`list BareMetalHosts in ${namespace}`, () =>
      this.custom.listNamespacedCustomObject({ ...bmh, namespace, labelSelector }),
    )) as KubernetesListObject<BareMetalHost>;
    return list.items;
  }

  async getHost(namespace: string, name: string): Promise<BareMetalHost | undefined> {
    return orUndefined(() =>
      call(`get BareMetalHost ${namespace}/${name}`, () => this.custom.getNamespacedCustomObject({ ...bmh, namespace, name })),
    ) as Promise<BareMetalHost | undefined>;
  }

  /**
   * PUT guarded by `metadata.resourceVersion`: a stale version throws KubeConflictError('Conflict'). The body
   * leaves `status` out: BareMetalHost has the status subresource, so the main endpoint keeps the stored status
   * whatever the body says (lab test: test/lab/kube/partialMetadata.test.ts). The answer is the whole host.
   */
  replaceHost(host: BareMetalHost): Promise<BareMetalHost> {
    const { name = '', namespace = '' } = host.metadata;
    const { status: _kept, ...body } = host;
    return call(`update BareMetalHost ${namespace}/${name}`, () =>
      this.json.send<BareMetalHost>('PUT', `${bmhPath(namespace)}/${encodeURIComponent(name)}`, { apiVersion: BMH_API_VERSION, kind: BMH_API.kind, ...body }),
    );
  }

  /** A cluster-scoped `management.loft.sh/v1` object (OSImage, SSHKey), or undefined when absent. */
  getPlatformObject<T>(plural: string, name: string): Promise<T | undefined> {
    return orUndefined(() =>
      call(`get ${plural}/${name}`, () => this.platform.getClusterCustomObject({ ...LOFT_API, plural, name })),
    ) as Promise<T | undefined>;
  }

  /** Every cluster-scoped `management.loft.sh/v1` object of a kind (the catalogue's watches list them). */
  /** One page of `management.loft.sh/v1` objects (all of them without `page`). */
  listPlatformObjects<T extends KubernetesObject>(plural: string, page?: ListPage): Promise<KubernetesListObject<T>> {
    return call(`list ${plural}`, () => this.platform.listClusterCustomObject({ ...LOFT_API, plural, limit: page?.limit, _continue: page?.continue })) as Promise<KubernetesListObject<T>>;
  }

  /** A namespaced `management.loft.sh/v1` object (NodeEnvironment), or undefined when absent. */
  getNamespacedPlatformObject<T>(plural: string, namespace: string, name: string): Promise<T | undefined> {
    return orUndefined(() =>
      call(`get ${plural} ${namespace}/${name}`, () =>
        this.platform.getNamespacedCustomObject({ ...LOFT_API, plural, namespace, name }),
      ),
    ) as Promise<T | undefined>;
  }

  getSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    return orUndefined(() => call(`get Secret ${namespace}/${name}`, () => this.core.readNamespacedSecret({ namespace, name })));
  }

  /** Creates a Secret; answers only the new object's metadata (the caller has the data it sent). */
  createSecret(namespace: string, body: V1Secret): Promise<WireMetadata> {
    return call(`create Secret ${namespace}/${body.metadata?.name}`, () =>
      metadataOf(this.json.send('POST', corePath(namespace, 'secrets'), { apiVersion: 'v1', kind: 'Secret', ...body }, PARTIAL_OBJECT_METADATA)),
    );
  }

  /** A Secret's metadata only (PartialObjectMetadata: no data crosses the wire), or undefined when absent. */
  getSecretMetadata(namespace: string, name: string): Promise<WireMetadata | undefined> {
    return orUndefined(() =>
      call(`get Secret ${namespace}/${name}`, () =>
        metadataOf(this.json.send('GET', `${corePath(namespace, 'secrets')}/${encodeURIComponent(name)}`, undefined, PARTIAL_OBJECT_METADATA)),
      ),
    );
  }

  replaceSecret(namespace: string, body: V1Secret): Promise<V1Secret> {
    const name = body.metadata?.name ?? '';
    return call(`update Secret ${namespace}/${name}`, () => this.core.replaceNamespacedSecret({ namespace, name, body }));
  }

  async listSecrets(namespace: string, labelSelector: string): Promise<V1Secret[]> {
    const list = await call(`list Secrets in ${namespace}`, () => this.core.listNamespacedSecret({ namespace, labelSelector }));
    return list.items;
  }

  async deleteSecret(namespace: string, name: string): Promise<void> {
    await orUndefined(() => call(`delete Secret ${namespace}/${name}`, () => this.core.deleteNamespacedSecret({ namespace, name })));
  }

  /** Creates a ConfigMap; answers only the new object's metadata. */
  createConfigMap(namespace: string, body: V1ConfigMap): Promise<WireMetadata> {
    return call(`create ConfigMap ${namespace}/${body.metadata?.name}`, () =>
      metadataOf(this.json.send('POST', corePath(namespace, 'configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', ...body }, PARTIAL_OBJECT_METADATA)),
    );
  }

  getConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    return orUndefined(() => call(`get ConfigMap ${namespace}/${name}`, () => this.core.readNamespacedConfigMap({ namespace, name })));
  }

  async listConfigMaps(namespace: string, labelSelector: string): Promise<V1ConfigMap[]> {
    const list = await call(`list ConfigMaps in ${namespace}`, () => this.core.listNamespacedConfigMap({ namespace, labelSelector }));
    return list.items;
  }

  async deleteConfigMap(namespace: string, name: string): Promise<void> {
    await orUndefined(() =>
      call(`delete ConfigMap ${namespace}/${name}`, () => this.core.deleteNamespacedConfigMap({ namespace, name })),
    );
  }
}

const bmh = { group: BMH_API.group, version: BMH_API.version, plural: BMH_API.plural };
const BMH_API_VERSION = `${BMH_API.group}/${BMH_API.version}`;
const bmhPath = (namespace: string) => `/apis/${BMH_API_VERSION}/namespaces/${encodeURIComponent(namespace)}/${BMH_API.plural}`;
const corePath = (namespace: string, plural: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/${plural}`;

async function metadataOf(answer: Promise<{ metadata?: WireMetadata }>): Promise<WireMetadata> {
  return (await answer).metadata ?? {};
}

async function orUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Runs one API call and translates its failure; `what` names the operation, never a payload. */
async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translate(what, err);
  }
}

function translate(what: string, err: unknown): Error {
  const status = typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : undefined;
  if (status === undefined) return new TransientError(`${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  const reason = statusReason(err);
  if (status === 404) return new NotFoundError(`${what}: not found`, { cause: err });
  if (status === 409) return new KubeConflictError(reason === 'AlreadyExists' ? 'AlreadyExists' : 'Conflict', `${what}: ${reason ?? 'Conflict'}`);
  if (status === 429 || status >= 500) {
    return new TransientError(`${what}: HTTP ${status}${reason ? ` ${reason}` : ''}`, { cause: err, retryAfterMs: retryAfterMs(err) });
  }
  return new Error(`${what}: HTTP ${status}${reason ? ` ${reason}` : ''}: ${statusMessage(err) ?? ''}`, { cause: err });
}

function parsedBody(err: unknown): { reason?: string; message?: string } | undefined {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { reason?: string; message?: string };
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as { reason?: string }) : undefined;
}

const statusReason = (err: unknown) => parsedBody(err)?.reason;
const statusMessage = (err: unknown) => parsedBody(err)?.message;

function retryAfterMs(err: unknown): number | undefined {
  const headers = (err as { headers?: Record<string, string> }).headers ?? {};
  const value = headers['retry-after'] ?? headers['Retry-After'];
  const seconds = value === undefined ? NaN : Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}
