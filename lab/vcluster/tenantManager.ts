/**
 * One tenant cluster per VirtualClusterInstance (`management.loft.sh/v1`, all namespaces). Like
 * vCluster, it publishes each tenant through a Secret `vc-<name>` in the VCI's namespace (keys
 * `config`, `certificate-authority`, `endpoint`); the host platform finds tenants only there.
 * A tenant is closed only once its VCI is actually gone (finalizers may hold it for a while).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CoreV1Api, CustomObjectsApi, makeInformer, PatchStrategy, setHeaderOptions,
  type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject,
} from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import { startTenant, type Tenant, type TenantOptions } from './tenant.js';

const VCI = { group: 'management.loft.sh', version: 'v1', plural: 'virtualclusterinstances' };
export const TENANT_LABEL = 'vcluster.loft.sh/tenant';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface TenantManagerOptions {
  /** Management cluster. */
  kubeConfig: KubeConfig;
  logger?: Logger;
  /** When set, each tenant's access files go to `stateDir/tenants/<name>/`. */
  stateDir?: string;
  /** Options for every tenant (token TTL, node grace period, listen host). */
  tenantDefaults?: Omit<TenantOptions, 'name' | 'project' | 'logger'>;
}

export interface TenantManager {
  tenants(): Tenant[];
  get(namespace: string, name: string): Tenant | undefined;
  stop(): Promise<void>;
}

const PUBLISH_RETRY_MS = 1000;

export function accessSecretName(vciName: string): string {
  return `vc-${vciName}`;
}

export async function startTenantManager(opts: TenantManagerOptions): Promise<TenantManager> {
  const logger = opts.logger?.child({ component: 'tenant-manager' });
  const core = opts.kubeConfig.makeApiClient(CoreV1Api);
  const custom = opts.kubeConfig.makeApiClient(CustomObjectsApi);
  const tenants = new Map<string, Tenant>();
  const queues = new Map<string, Promise<void>>();
  /** Tenants whose access Secret and Ready status were written; pending publish retries. */
  const published = new Set<string>();
  const retries = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  /** Serialises the work for one VCI so create and delete never overlap. */
  const enqueue = (key: string, work: () => Promise<void>) => {
    const next = (queues.get(key) ?? Promise.resolve()).then(work).catch((err) => {
      logger?.error({ vci: key, err: String(err) }, 'tenant reconcile failed');
    });
    queues.set(key, next);
    void next.finally(() => {
      if (queues.get(key) === next) queues.delete(key);
    });
  };

  const publish = async (namespace: string, name: string, tenant: Tenant) => {
    const data = {
      config: tenant.kubeConfigYaml(),
      'certificate-authority': tenant.caCertPem,
      endpoint: tenant.endpoint,
    };
    const body = {
      metadata: { name: accessSecretName(name), namespace, labels: { [TENANT_LABEL]: name } },
      type: 'Opaque',
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    };
    try {
      await core.createNamespacedSecret({ namespace, body });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
      await core.patchNamespacedSecret({ name: body.metadata.name, namespace, body }, mergePatch);
    }
    await custom.patchNamespacedCustomObjectStatus({ ...VCI, namespace, name, body: { status: { phase: 'Ready' } } }, mergePatch);
    if (opts.stateDir) await tenant.writeAccessFiles(join(opts.stateDir, 'tenants', name));
  };

  const ensure = async (namespace: string, name: string) => {
    const key = `${namespace}/${name}`;
    if (published.has(key) || stopped) return;
    let tenant = tenants.get(key);
    if (!tenant) {
      tenant = await startTenant({
        ...opts.tenantDefaults, name, project: namespace.replace(/^p-/, ''), logger: opts.logger,
      });
      if (stopped) return void (await tenant.close());
      tenants.set(key, tenant);
    }
    try {
      await publish(namespace, name, tenant);
    } catch (err) {
      // A failed write (API error) would otherwise leave the tenant unpublished until the VCI changes.
      clearTimeout(retries.get(key));
      retries.set(key, setTimeout(() => {
        retries.delete(key);
        if (!stopped) enqueue(key, () => ensure(namespace, name));
      }, PUBLISH_RETRY_MS));
      throw err;
    }
    published.add(key);
    logger?.info({ vci: key, endpoint: tenant.endpoint }, 'tenant ready');
  };

  const remove = async (namespace: string, name: string) => {
    const key = `${namespace}/${name}`;
    const tenant = tenants.get(key);
    tenants.delete(key);
    published.delete(key);
    clearTimeout(retries.get(key));
    retries.delete(key);
    await tenant?.close();
    try {
      await core.deleteNamespacedSecret({ name: accessSecretName(name), namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    if (opts.stateDir) await rm(join(opts.stateDir, 'tenants', name), { recursive: true, force: true });
    logger?.info({ vci: key }, 'tenant removed');
  };

  const onEvent = (vci: KubernetesObject, deleted: boolean) => {
    const { namespace, name } = vci.metadata ?? {};
    if (!namespace || !name || stopped) return;
    enqueue(`${namespace}/${name}`, () => (deleted ? remove(namespace, name) : ensure(namespace, name)));
  };

  if (opts.stateDir) await mkdir(join(opts.stateDir, 'tenants'), { recursive: true });
  const informer: Informer<KubernetesObject> = makeInformer(opts.kubeConfig, `/apis/${VCI.group}/${VCI.version}/${VCI.plural}`, () =>
    custom.listClusterCustomObject(VCI) as Promise<KubernetesListObject<KubernetesObject>>);
  informer.on('add', (vci) => onEvent(vci, false));
  informer.on('update', (vci) => onEvent(vci, false));
  informer.on('delete', (vci) => onEvent(vci, true));
  let restartTimer: NodeJS.Timeout | undefined;
  informer.on('error', (err) => {
    if (stopped) return;
    logger?.warn({ err: String(err) }, 'VirtualClusterInstance watch failed; restarting');
    restartTimer = setTimeout(() => void informer.start().catch(() => undefined), 1000);
  });
  await informer.start();

  return {
    tenants: () => [...tenants.values()],
    get: (namespace, name) => tenants.get(`${namespace}/${name}`),
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      for (const t of retries.values()) clearTimeout(t);
      retries.clear();
      await informer.stop();
      while (queues.size) await Promise.all([...queues.values()]);
      await Promise.all([...tenants.values()].map((t) => t.close()));
      tenants.clear();
    },
  };
}
