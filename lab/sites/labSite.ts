/**
 * One site of a multi-site lab: a connected cluster with its own Kubernetes API, Metal3 simulator, fleet
 * and simulated servers, reached by the platform through a SiteLink (so a test can cut it off), and
 * registered in the management cluster as a `management.loft.sh/v1` Cluster naming a Secret with its
 * kubeconfig, as an operator connects a cluster to the vCluster Platform.
 */
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import type { Logger } from '../../plugin/contract.js';
import { applyFleet, defaultFleet, type Fleet } from '../fleet/index.js';
import { startKubeApi, type KubeApiServer } from '../kube/index.js';
import { startMetal3Simulator, type Metal3Simulator, type PhaseTimings } from '../metal3/index.js';
import { startServerFarm, type ServerFarm } from '../servers/index.js';
import { SiteLink } from './siteLink.js';

/** Where the platform keeps connected clusters' kubeconfig Secrets (the Cluster default, see platform/clusters). */
export const PLATFORM_NAMESPACE = 'vcluster-platform';

export interface LabSiteOptions {
  /** Cluster name, also the zone of its node types: `site-a`, `site-b`, ... */
  name: string;
  namespace: string;
  gpuHosts: number;
  cpuHosts: number;
  /** The site's first rack number (racks, and so leaf switches, differ between sites). */
  firstRack: number;
  /** Server sandboxes go to `<serversDir>/<host>/`. */
  serversDir: string;
  timings: PhaseTimings;
  farm: { bootDelayMs?: number; heartbeatMs?: number };
  logger: Logger;
}

export interface LabSite {
  name: string;
  /** The site's own API (its Metal3, fleet and servers talk to it directly). */
  api: KubeApiServer;
  kubeConfig: KubeConfig;
  /** The platform's way in: cut() is a site outage, restore() its return. */
  link: SiteLink;
  fleet: Fleet;
  simulator: Metal3Simulator;
  farm: ServerFarm;
  stop(): Promise<void>;
}

/** `site-a`, `site-b`, ... for site index 0, 1, ... */
export const siteName = (index: number) => `site-${String.fromCharCode(97 + index)}`;

export async function startLabSite(opts: LabSiteOptions): Promise<LabSite> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
  };
  try {
    const api = await startKubeApi({ port: 0, name: opts.name });
    stops.push(() => api.close());
    const kubeConfig = api.kubeConfig();
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: opts.namespace } } });
    // Host names carry the site, so nodes of two sites never share a name in one tenant.
    const fleet = defaultFleet({
      namespace: opts.namespace, gpuHosts: opts.gpuHosts, cpuHosts: opts.cpuHosts, datacenter: opts.name, hostPrefix: `${opts.name}-`, firstRack: opts.firstRack,
    });
    await applyFleet(kubeConfig, fleet);
    const logger = opts.logger.child({ site: opts.name });
    const simulator = await startMetal3Simulator({ kubeConfig, namespace: opts.namespace, timings: opts.timings, logger: logger.child({ component: 'metal3' }) });
    stops.push(() => simulator.stop());
    const farm = await startServerFarm({
      kubeConfig, namespace: opts.namespace, rootDir: opts.serversDir, logger: logger.child({ component: 'servers' }), ...opts.farm,
    });
    stops.push(() => farm.stop());
    const link = await SiteLink.open(api.url);
    stops.push(() => link.close());
    return { name: opts.name, api, kubeConfig, link, fleet, simulator, farm, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The site's kubeconfig as the platform uses it: the site API's own, with the server behind the link. */
export function siteKubeconfigYaml(site: Pick<LabSite, 'api' | 'link'>): string {
  const doc = parse(site.api.kubeconfigYaml()) as { clusters?: { cluster: { server: string } }[] };
  for (const entry of doc.clusters ?? []) entry.cluster.server = site.link.urlFor(entry.cluster.server);
  return stringify(doc);
}

/** The Secret `<site>-kubeconfig` (key `config`) in PLATFORM_NAMESPACE and the Cluster object naming it. */
export async function registerSite(management: KubeConfig, site: Pick<LabSite, 'name' | 'api' | 'link'>): Promise<void> {
  await registerCluster(management, site.name, siteKubeconfigYaml(site));
}

/** Connects a cluster as an operator does: its kubeconfig in Secret `<name>-kubeconfig` (key `config`) and a Cluster naming it. */
export async function registerCluster(management: KubeConfig, name: string, kubeconfigYaml: string): Promise<void> {
  const core = management.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: PLATFORM_NAMESPACE } } }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  });
  const secretName = `${name}-kubeconfig`;
  await core.createNamespacedSecret({
    namespace: PLATFORM_NAMESPACE,
    body: { metadata: { name: secretName }, type: 'Opaque', data: { config: Buffer.from(kubeconfigYaml).toString('base64') } },
  });
  await management.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: 'management.loft.sh', version: 'v1', plural: 'clusters',
    body: {
      apiVersion: 'management.loft.sh/v1', kind: 'Cluster', metadata: { name },
      spec: { displayName: `Lab ${name}`, config: { secretName, secretNamespace: PLATFORM_NAMESPACE, key: 'config' } },
    },
  });
}

/** Different sizes per site: site-a 4 GPU + 4 CPU hosts, site-b 3 + 2, site-c 2 + 2, then 1 + 2; racks from 1, 11, 21, ... */
export function siteSize(index: number): { gpuHosts: number; cpuHosts: number; firstRack: number } {
  return { gpuHosts: Math.max(1, 4 - index), cpuHosts: index === 0 ? 4 : 2, firstRack: 1 + index * 10 };
}

export const serversDirOf = (dir: string, site: string) => join(dir, 'servers', site);
