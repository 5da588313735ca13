/** The lab's Kubernetes API server: start it, point clients at it, inject faults, stop it. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { bareMetalHostWebhook } from '../metal3/admission/hostWebhook.js';
import { AdmissionChain, type ValidatingWebhook } from './admission.js';
import { loadCrdFiles } from './crd.js';
import { FaultInjector, type FaultConfig } from './faults.js';
import { Controllers } from './gc.js';
import { kubeConfigForUrl, kubeconfigYamlForUrl } from './kubeconfig.js';
import { ObjectService } from './objects.js';
import { ResourceRegistry } from './registry.js';
import { HttpFront } from './server.js';
import { ApiStats } from './stats.js';
import { ObjectStore } from './store.js';

export type { FaultConfig } from './faults.js';
export type { AdmissionChain, ValidatingWebhook } from './admission.js';
export { FaultInjector } from './faults.js';
export { ApiStats, type StatsSnapshot } from './stats.js';
export type { Verb, KubeObject } from './types.js';
export { kubeConfigForUrl } from './kubeconfig.js';
export { validateAgainstSchema, type Schema, type Cause } from '../../common/schemaValidate.js';

export interface KubeApiOptions {
  host?: string;
  port?: number;
  crdDirs?: string[];
  loadDefaultCrds?: boolean;
  faults?: FaultConfig;
  watchHistory?: number;
  name?: string;
  /** How often watches with allowWatchBookmarks get a BOOKMARK. Default 1000 ms. */
  bookmarkIntervalMs?: number;
  /**
   * Validating webhooks installed with the API. Default: with the default CRDs, BMO's BareMetalHost
   * webhook (BMO installs both); without them, none.
   */
  webhooks?: ValidatingWebhook[];
}

export interface KubeApiServer {
  url: string;
  port: number;
  kubeConfig(): KubeConfig;
  kubeconfigYaml(): string;
  writeKubeconfig(path: string): Promise<void>;
  faults: FaultInjector;
  stats: ApiStats;
  /** The CRD files served at start (upstream Metal3 files where present, else the lab's fallbacks). */
  crdFiles: string[];
  /** The validating webhooks: their denial counts, and a fault to make one unreachable. */
  admission: AdmissionChain;
  dropWatches(): void;
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
  const store = new ObjectStore(opts.watchHistory ?? 5000);
  const registry = new ResourceRegistry();
  const controllers = new Controllers(store, registry);
  const admission = new AdmissionChain();
  for (const wh of opts.webhooks ?? (opts.loadDefaultCrds === false ? [] : [bareMetalHostWebhook()])) admission.register(wh);
  const service = new ObjectService(store, registry, controllers, admission);
  controllers.attach(service);
  const faults = new FaultInjector(opts.faults);
  const stats = new ApiStats();

  const nsDef = registry.lookup('', 'v1', 'namespaces')!;
  for (const ns of SYSTEM_NAMESPACES) service.create(nsDef, '', { metadata: { name: ns } });
  const dirs = [...(opts.loadDefaultCrds === false ? [] : defaultCrdDirs()), ...(opts.crdDirs ?? [])];
  const crdDef = registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  const crdFiles: string[] = [];
  const preferDir = opts.loadDefaultCrds === false ? undefined : upstreamMetal3CrdDir();
  for (const crd of await loadCrdFiles(dirs, { preferDir, loaded: crdFiles })) service.create(crdDef, '', crd, { fieldManager: 'lab-crd-loader' });

  const watches = new Map<ServerResponse, () => void>();
  let address = '';
  const front = new HttpFront({
    store, registry, service, faults, stats,
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
  const server = createServer(front.handle);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  address = `${host}:${port}`;
  const url = `http://${address}`;

  const dropWatches = () => {
    for (const close of [...watches.values()]) close();
  };
  return {
    url,
    port,
    kubeConfig: () => kubeConfigForUrl(url, name),
    kubeconfigYaml: () => kubeconfigYamlForUrl(url, name),
    writeKubeconfig: (p) => writeFile(p, kubeconfigYamlForUrl(url, name), { mode: 0o600 }),
    faults,
    stats,
    admission,
    crdFiles,
    dropWatches,
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
