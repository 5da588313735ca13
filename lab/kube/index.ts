/**
 * The lab's Kubernetes API server: start it, point clients at it, inject faults, stop it. It speaks
 * HTTPS with its own CA, authenticates bearer tokens (a static admin token; ServiceAccount tokens from
 * the TokenRequest subresource) and authorizes with RBAC, as kube-apiserver does.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { bareMetalHostWebhook } from '../metal3/admission/hostWebhook.js';
import { createPki, type LabPki } from '../pki.js';
import { AccessControl, type AuthorizationMode } from './access.js';
import { AdmissionChain, type ValidatingWebhook } from './admission.js';
import type { AuthorizationLog } from './authzLog.js';
import { loadCrdFiles } from './crd.js';
import { FaultInjector, type FaultConfig } from './faults.js';
import { Controllers } from './gc.js';
import { kubeConfigForUrl, kubeconfigYamlForUrl, type ApiCredentials } from './kubeconfig.js';
import { ObjectService } from './objects.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './rbacBootstrap.js';
import { ResourceRegistry } from './registry.js';
import { HttpFront } from './server.js';
import { ApiStats } from './stats.js';
import { ObjectStore } from './store.js';
import type { KubeObject } from './types.js';
import { GROUP } from './users.js';

export type { FaultConfig } from './faults.js';
export type { AdmissionChain, ValidatingWebhook } from './admission.js';
export { FaultInjector } from './faults.js';
export { ApiStats, type StatsSnapshot } from './stats.js';
export type { Verb, KubeObject } from './types.js';
export { kubeConfigForUrl, kubeconfigYamlForUrl, type ApiCredentials } from './kubeconfig.js';
export type { AuthorizationMode } from './access.js';
export type { AuthorizationLog, AuthzRecord } from './authzLog.js';
export type { UserInfo } from './users.js';
export { validateAgainstSchema, type Schema, type Cause } from '../../common/schemaValidate.js';

export interface KubeApiOptions {
  host?: string;
  port?: number;
  crdDirs?: string[];
  loadDefaultCrds?: boolean;
  /** Serve Metal3's CRDs from ../shared/upstream/metal3/crds where present (default), or always lab/crds' fallbacks. */
  preferUpstreamCrds?: boolean;
  faults?: FaultConfig;
  watchHistory?: number;
  /** How often continue tokens of paged lists expire (etcd compaction, paging.ts). Default 5 minutes. */
  compactionIntervalMs?: number;
  name?: string;
  /** How often watches with allowWatchBookmarks get a BOOKMARK. Default 1000 ms. */
  bookmarkIntervalMs?: number;
  /**
   * Validating webhooks installed with the API. Default: with the default CRDs, BMO's BareMetalHost
   * webhook (BMO installs both); without them, none.
   */
  webhooks?: ValidatingWebhook[];
  /** kube's --authorization-mode: RBAC (default) or AlwaysAllow (every authenticated request passes). */
  authorization?: AuthorizationMode;
  /** CA and serving certificate; default a fresh PKI for this server (tenants pass their own). */
  pki?: LabPki;
}

/** The static admin of every lab API (kube's token-file user), member of system:masters. */
export const ADMIN_USER = 'kubernetes-admin';

export interface KubeconfigOptions {
  /** Context/cluster name; default the server's name. */
  name?: string;
  /** Bearer token; default the admin's. */
  token?: string;
  namespace?: string;
}

export interface KubeApiServer {
  /** `https://HOST:PORT`. */
  url: string;
  port: number;
  /** The CA that signed the serving certificate. */
  caCertPem: string;
  /** The serving certificate and key, for test proxies that terminate TLS in front of the API. */
  tls: { certPem: string; keyPem: string };
  /** The admin's bearer token (system:masters). */
  adminToken: string;
  /** A client config verifying the CA, as the admin unless `opts.token` says otherwise. */
  kubeConfig(opts?: KubeconfigOptions): KubeConfig;
  kubeconfigYaml(opts?: KubeconfigOptions): string;
  writeKubeconfig(path: string, opts?: KubeconfigOptions): Promise<void>;
  /** A fresh token of ServiceAccount `namespace/name` (TokenRequest through the API, as the admin). */
  serviceAccountToken(namespace: string, name: string, expirationSeconds?: number): Promise<string>;
  /** Every authorization decision so far. */
  authz: AuthorizationLog;
  faults: FaultInjector;
  stats: ApiStats;
  /** The CRD files served at start (upstream Metal3 files where present, else the lab's fallbacks). */
  crdFiles: string[];
  /** The validating webhooks: their denial counts, and a fault to make one unreachable. */
  admission: AdmissionChain;
  dropWatches(): void;
  /** Compacts now, as etcd does every 5 minutes: the continue token of every list paged so far expires (410 Expired). */
  compact(): void;
  /**
   * Creates `objects` straight in the store, without HTTP or authentication but through the same
   * defaulting, validation and admission as a create; an object's `status` is then written through the
   * status subresource, as its controller would. For fixtures too large to send one request at a time
   * (the bench's 10,000-host fleets). Watchers see the objects as usual.
   */
  seed(objects: readonly KubeObject[], fieldManager?: string): void;
  close(): Promise<void>;
}

/**
 * The CRDs the lab serves by default: the platform's own (deploy/crds, the files an operator installs)
 * and Metal3's (lab/crds, which BMO installs on a real cluster). Found from source (lab/kube) and from
 * the build (dist/lab/kube).
 */
export function defaultCrdDirs(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const find = (rel: string) => {
    const candidates = [path.resolve(here, '../..', rel), path.resolve(here, '../../..', rel)];
    return candidates.find((c) => existsSync(c)) ?? candidates[0];
  };
  return [find('deploy/crds'), find('lab/crds')];
}

/**
 * Metal3's own CRD files (`../shared/upstream/metal3/crds` beside the checkout, as in CI), preferred over the
 * lab's fallback copies in lab/crds; undefined when absent.
 */
export function upstreamMetal3CrdDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.resolve(here, '../../..', 'shared/upstream/metal3/crds'), path.resolve(here, '../../../..', 'shared/upstream/metal3/crds')]
    .find((c) => existsSync(path.join(c, 'metal3.io_baremetalhosts.yaml')));
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startKubeApi(opts: KubeApiOptions = {}): Promise<KubeApiServer> {
  const name = opts.name ?? 'lab';
  const store = new ObjectStore(opts.watchHistory ?? 5000, opts.compactionIntervalMs);
  const registry = new ResourceRegistry();
  const controllers = new Controllers(store, registry);
  const admission = new AdmissionChain();
  for (const wh of opts.webhooks ?? (opts.loadDefaultCrds === false ? [] : [bareMetalHostWebhook()])) admission.register(wh);
  const service = new ObjectService(store, registry, controllers, admission);
  controllers.attach(service);
  const faults = new FaultInjector(opts.faults);
  const stats = new ApiStats();
  const access = new AccessControl(store, registry, opts.authorization ?? 'RBAC');
  controllers.onRbacChange = () => access.rbac.invalidate();
  const adminToken = randomBytes(24).toString('base64url');
  access.authenticator.addStaticToken(adminToken, { username: ADMIN_USER, uid: ADMIN_USER, groups: [GROUP.masters] });
  const pki = opts.pki ?? await createPki(name, opts.host && opts.host !== '127.0.0.1' ? [`IP:${opts.host}`] : []);

  const nsDef = registry.lookup('', 'v1', 'namespaces')!;
  for (const ns of SYSTEM_NAMESPACES) service.create(nsDef, '', { metadata: { name: ns } });
  const manager = { fieldManager: 'kube-apiserver' };
  for (const role of bootstrapClusterRoles()) service.create(registry.lookup('rbac.authorization.k8s.io', 'v1', 'clusterroles')!, '', role, manager);
  for (const b of bootstrapClusterRoleBindings()) service.create(registry.lookup('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings')!, '', b, manager);
  const dirs = [...(opts.loadDefaultCrds === false ? [] : defaultCrdDirs()), ...(opts.crdDirs ?? [])];
  const crdDef = registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  const crdFiles: string[] = [];
  const preferDir = opts.loadDefaultCrds === false || opts.preferUpstreamCrds === false ? undefined : upstreamMetal3CrdDir();
  for (const crd of await loadCrdFiles(dirs, { preferDir, loaded: crdFiles })) service.create(crdDef, '', crd, { fieldManager: 'lab-crd-loader' });

  const watches = new Map<ServerResponse, () => void>();
  let address = '';
  const front = new HttpFront({
    store, registry, service, faults, stats, access,
    serverAddress: () => address,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 1000,
    trackWatch(close, res) {
      if (res.writableEnded) return;
      watches.set(res, close);
      stats.openWatches++;
      res.on('close', () => {
        if (watches.delete(res)) stats.openWatches--;
      });
    },
  });
  const server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, front.handle);
  // Longer than any client's idle timeout (lab clients 1 s; Node's agents follow the Keep-Alive hint
  // minus 1 s), so the server never closes a socket a client is about to reuse ("socket hang up").
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  address = `${host}:${port}`;
  const url = `https://${address}`;
  const credentials = (token = adminToken): ApiCredentials => ({ caCertPem: pki.caCertPem, token });
  const yamlFor = (o: KubeconfigOptions = {}) => kubeconfigYamlForUrl(url, o.name ?? name, credentials(o.token), o.namespace);

  const dropWatches = () => {
    for (const close of [...watches.values()]) close();
  };
  return {
    url,
    port,
    caCertPem: pki.caCertPem,
    tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem },
    adminToken,
    kubeConfig: (o = {}) => kubeConfigForUrl(url, o.name ?? name, credentials(o.token), o.namespace),
    kubeconfigYaml: yamlFor,
    writeKubeconfig: (p, o) => writeFile(p, yamlFor(o), { mode: 0o600 }),
    async serviceAccountToken(namespace, saName, expirationSeconds = 3600) {
      const core = kubeConfigForUrl(url, name, credentials()).makeApiClient(CoreV1Api);
      const answer = await core.createNamespacedServiceAccountToken({ name: saName, namespace, body: { spec: { audiences: [], expirationSeconds } } });
      return answer.status!.token;
    },
    authz: access.log,
    faults,
    stats,
    admission,
    crdFiles,
    dropWatches,
    compact: () => store.snapshots.compact(),
    seed(objects, fieldManager = 'lab-seed') {
      for (const object of objects) {
        const def = registry.byKind(object.apiVersion, object.kind);
        if (!def) throw new Error(`seed: ${object.apiVersion} ${object.kind} ${object.metadata.name ?? ''} is not served by this API`);
        const ns = def.namespaced ? object.metadata.namespace ?? 'default' : '';
        const { status, ...body } = structuredClone(object);
        const created = service.create(def, ns, def.hasStatus ? body : { ...body, ...(status === undefined ? {} : { status }) }, { fieldManager });
        if (def.hasStatus && status !== undefined) service.update(def, ns, created.metadata.name!, { ...created, status }, { fieldManager, subresource: 'status' });
      }
    },
    close: async () => {
      controllers.stop();
      dropWatches();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
