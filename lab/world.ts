/**
 * The lab world: everything around the plugin, started in order (management API, Metal3 namespace,
 * fleet, Metal3 simulator, Netris fabric, tenant manager, server farm, catalogue objects, platform)
 * and stopped in reverse. `npm start`, `npm run lab` and the end-to-end tests run on it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../plugin/contract.js';
import { applyFleet, defaultFleet, type Fleet } from './fleet/index.js';
import { fleetMachines } from './fleet/machineFacts.js';
import type { MachineLookup } from './vcluster/machine.js';
import { startKubeApi, type KubeApiServer } from './kube/index.js';
import { DEMO_TIMINGS, TEST_TIMINGS, startMetal3Simulator, type Metal3Simulator, type PhaseTimings } from './metal3/index.js';
import { startNetrisEmulator, type NetrisEmulator } from './netris/emulator.js';
import {
  ensureTenantServerCluster, registerFleetPorts, serverClusterName, type FleetPort, type TenantServerCluster,
} from './netris/fleet.js';
import { DEFAULT_PLUGIN_LOADING, type PlatformConfig } from '../platform/config.js';
import { DEFAULT_PLATFORM_OPTIONS, type PlatformOptions } from '../platform/deps.js';
import { startPlatform, type Platform, type StartPlatformOptions } from '../platform/platform.js';
import { createLogger, silentLogger } from '../platform/observability/logger.js';
import { startServerFarm, type ServerFarm } from './servers/index.js';
import { registerSite, serversDirOf, siteName, siteSize, startLabSite, type LabSite } from './sites/labSite.js';
import { startTenantManager, type TenantManager } from './vcluster/index.js';

const LOFT = { group: 'management.loft.sh', version: 'v1' };
export const PROVIDER_NAME = 'metal3-provider';
export const HOST_NAMESPACE = 'metal3-system';
export const OS_IMAGE = 'ubuntu-noble';
export const SSH_KEY = 'lab-operator';
export const NETRIS_SECRET = 'netris';
/** The claim property that names the Netris server cluster (tenant network) a host must join. */
export const SERVER_CLUSTER_PROPERTY = 'netris.vcluster.com/server-cluster';
/** Tenants (`<project namespace>/<vCluster>`) whose server clusters every world with Netris has. */
export const PRESET_TENANTS = ['p-demo/tenant-1', 'p-demo/tenant-2', 'p-demo/tenant-3', 'p-demo/tenant-4'];

/**
 * The demo's Metal3 phases: long enough that `npm start` visibly walks each host through inspection,
 * provisioning and cleaning (about a minute in all), short enough to stay a demo.
 */
export const DEMO_WORLD_TIMINGS: PhaseTimings = {
  ...DEMO_TIMINGS, registering: 2000, inspecting: 7000, preparing: 2000, provisioning: 14_000, deprovisioning: 9000,
};

export interface WorldOptions {
  /** Working folder: `kubeconfig`, `tenants/<name>/`, `servers/<host>/`, `platform/`. */
  dir: string;
  timings: 'demo' | 'test';
  /** Hosts to apply; default: 4 DGX H100 + 4 EPYC CPU servers. */
  fleet?: Fleet;
  /** Port of the management API; default a free one. */
  port?: number;
  logger?: Logger;
  /**
   * Start the Netris emulator, cable the fleet's switch ports into its parking lot and point the
   * NodeProvider at it (`spec.metal3.netris.secretRef`), with server clusters for PRESET_TENANTS.
   * @default true
   */
  netris?: boolean;
  /** Metal3 phase durations over the timings' own (e.g. slower provisioning for a browser to watch). */
  metal3Timings?: Partial<PhaseTimings>;
  /**
   * The platform's fleet dashboard: on (loopback, a free port) with demo timings, off with test
   * timings unless given; `assetsDir` serves a bundle built elsewhere (tests build one).
   */
  dashboard?: StartPlatformOptions['dashboard'];
  /**
   * Connected clusters: N sites (`site-a`, `site-b`, ...), each with its own API server, Metal3 simulator,
   * fleet (sizes differ) and servers, registered as Cluster objects; the NodeProvider has a GPU and a CPU
   * type per site (`<site>-gpu-h100`, `<site>-cpu`, zone `<site>`). 0 (default): the fleet lives in the
   * management cluster, as before.
   */
  sites?: number;
  /**
   * The credentials the platform runs with. Default: the lab admin's. The deploy RBAC e2e installs
   * deploy/ here and answers the deploy ServiceAccount's token (everything else stays admin).
   */
  platformKubeConfig?: (api: KubeApiServer) => Promise<KubeConfig>;
}

/** The world's Netris fabric; claims join a tenant network with the SERVER_CLUSTER_PROPERTY. */
export interface WorldFabric {
  emulator: NetrisEmulator;
  /** Which host NIC is cabled to which switch port. */
  cabling: FleetPort[];
  /** The server cluster of `tenant` (`<project namespace>/<vCluster>`), created on first use. */
  serverClusterFor(tenant: string): TenantServerCluster;
}

export interface World {
  dir: string;
  kubeconfigPath: string;
  api: KubeApiServer;
  kubeConfig: KubeConfig;
  /** With sites: the first site's fleet, simulator and farm (each site has its own, see `sites`). */
  fleet: Fleet;
  simulator: Metal3Simulator;
  /** The connected clusters (empty without the `sites` option). */
  sites: LabSite[];
  /** Absent when started with `netris: false`. */
  fabric?: WorldFabric;
  tenants: TenantManager;
  farm: ServerFarm;
  platform: Platform;
  /** The config the platform was started with (a second replica can use the same). */
  platformConfig: PlatformConfig;
  stop(): Promise<void>;
}

/** The plugin package beside this code: the repo root from source, `dist/` when compiled. */
export function pluginPackageDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..');
}

const TEST_PLATFORM_OPTIONS: PlatformOptions = {
  joinTimeoutMs: 60_000,
  tokenTtlSeconds: 3600,
  capacityBackoff: { initialMs: 200, maxMs: 2000 },
  pollIntervalMs: 100,
  drainTimeoutMs: 5000,
  dynamic: { disruptionIntervalMs: 300, nominationGraceMs: 3000, recheckMs: 2000 },
};
const DEMO_PLATFORM_OPTIONS: PlatformOptions = {
  ...DEFAULT_PLATFORM_OPTIONS,
  joinTimeoutMs: 5 * 60_000,
  capacityBackoff: { initialMs: 1000, maxMs: 10_000 },
  pollIntervalMs: 500,
  drainTimeoutMs: 10_000,
  dynamic: { disruptionIntervalMs: 1000, nominationGraceMs: 10_000, recheckMs: 5000 },
};

export async function startWorld(opts: WorldOptions): Promise<World> {
  const logger = opts.logger ?? (opts.timings === 'test' ? silentLogger() : createLogger({ bindings: { component: 'lab' } }));
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) {
      await s.stop().catch((err: unknown) => logger.warn({ component: s.name, err: String((err as Error)?.message ?? err) }, 'stop failed'));
    }
  };
  try {
    await mkdir(opts.dir, { recursive: true });
    const api = await startKubeApi({ port: opts.port ?? 0, name: 'lab' });
    stops.push({ name: 'kube-api', stop: () => api.close() });
    const kubeconfigPath = join(opts.dir, 'kubeconfig');
    await api.writeKubeconfig(kubeconfigPath);
    const kubeConfig = api.kubeConfig();
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: HOST_NAMESPACE } } });

    const timings = { ...(opts.timings === 'demo' ? DEMO_WORLD_TIMINGS : TEST_TIMINGS), ...opts.metal3Timings };
    const farmTimings = opts.timings === 'test' ? { bootDelayMs: 50, heartbeatMs: 200 } : { bootDelayMs: 1500 };
    const sites: LabSite[] = [];
    for (let index = 0; index < (opts.sites ?? 0); index++) {
      const name = siteName(index);
      const site = await startLabSite({
        name, namespace: HOST_NAMESPACE, ...siteSize(index), serversDir: serversDirOf(opts.dir, name), timings, farm: farmTimings, logger,
      });
      stops.push({ name, stop: () => site.stop() });
      await registerSite(kubeConfig, site);
      sites.push(site);
    }
    // Without sites the fleet, Metal3 and the servers live in the management cluster.
    let fleet: Fleet;
    let simulator: Metal3Simulator;
    let farm: ServerFarm;
    if (sites.length > 0) {
      ({ fleet, simulator, farm } = sites[0]);
    } else {
      fleet = opts.fleet ?? defaultFleet({ namespace: HOST_NAMESPACE });
      await applyFleet(kubeConfig, fleet);
      simulator = await startMetal3Simulator({ kubeConfig, namespace: HOST_NAMESPACE, timings, logger: logger.child({ component: 'metal3' }) });
      stops.push({ name: 'metal3', stop: () => simulator.stop() });
    }
    let fabric: WorldFabric | undefined;
    if (opts.netris ?? true) {
      const siteClusters = sites.length > 0 ? sites.map((site) => ({ kubeConfig: site.kubeConfig, fleet: site.fleet })) : [{ kubeConfig, fleet }];
      fabric = await startFabric(siteClusters, opts.timings);
      stops.push({ name: 'netris', stop: () => fabric!.emulator.close() });
    }
    const tenants = await startTenantManager({
      kubeConfig, stateDir: opts.dir, logger: logger.child({ component: 'vcluster' }),
      tenantDefaults: { machines: anyOf((sites.length > 0 ? sites.map((s) => s.kubeConfig) : [kubeConfig]).map((kc) => fleetMachines(kc, HOST_NAMESPACE))) },
    });
    stops.push({ name: 'tenants', stop: () => tenants.stop() });
    if (sites.length === 0) {
      farm = await startServerFarm({
        kubeConfig, namespace: HOST_NAMESPACE, rootDir: join(opts.dir, 'servers'), logger: logger.child({ component: 'servers' }), ...farmTimings,
      });
      stops.push({ name: 'servers', stop: () => farm.stop() });
    }

    await applyCatalog(kubeConfig, HOST_NAMESPACE, { ...(fabric ? { netrisSecret: NETRIS_SECRET } : {}), sites: sites.map((s) => s.name) });
    const config: PlatformConfig = {
      providers: [{ name: PROVIDER_NAME, path: pluginPackageDir() }],
      options: opts.timings === 'test' ? TEST_PLATFORM_OPTIONS : DEMO_PLATFORM_OPTIONS,
      plugins: { ...DEFAULT_PLUGIN_LOADING, drainTimeoutMs: opts.timings === 'test' ? 5000 : 10_000 },
      metricsPort: 0,
    };
    const platform = await startPlatform({
      kubeConfig: opts.platformKubeConfig ? await opts.platformKubeConfig(api) : kubeConfig, config, stateDir: join(opts.dir, 'platform'), logger: logger.child({ component: 'platform' }), replicaId: 'lab',
      nodeTypeResyncMs: opts.timings === 'test' ? 1000 : 5000, orphanIntervalMs: opts.timings === 'test' ? 1000 : undefined,
      dashboard: opts.dashboard ?? (opts.timings === 'demo' ? {} : false),
      clusterProbeIntervalMs: opts.timings === 'test' ? 300 : 2000,
    });
    stops.push({ name: 'platform', stop: () => platform.stop() });
    return { dir: opts.dir, kubeconfigPath, api, kubeConfig, fleet, simulator, sites, fabric, tenants, farm: farm!, platform, platformConfig: config, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** A machine lookup over several clusters' fleets: the first that knows the node answers. */
function anyOf(lookups: MachineLookup[]): MachineLookup {
  return async (nodeName) => {
    for (const lookup of lookups) {
      const machine = await lookup(nodeName);
      if (machine) return machine;
    }
    return undefined;
  };
}

/**
 * The Netris emulator with every site's switch ports in its parking lot, its login in the Secret
 * NETRIS_SECRET of each site's hosts namespace (a fresh password per world), and PRESET_TENANTS' networks.
 */
async function startFabric(siteClusters: { kubeConfig: KubeConfig; fleet: Fleet }[], timings: WorldOptions['timings']): Promise<WorldFabric> {
  const password = randomBytes(18).toString('base64url');
  // Demo: switches take a visible moment to apply a port move, as a real fabric's config push does.
  const emulator = await startNetrisEmulator({ username: 'lab', password, applyDelayMs: timings === 'demo' ? 1500 : 20 });
  let cabling: FleetPort[];
  try {
    cabling = registerFleetPorts(emulator, siteClusters.flatMap((site) => site.fleet.hosts));
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    for (const site of siteClusters) {
      await site.kubeConfig.makeApiClient(CoreV1Api).createNamespacedSecret({
        namespace: HOST_NAMESPACE,
        body: { metadata: { name: NETRIS_SECRET }, type: 'Opaque', data: { url: b64(emulator.url), username: b64('lab'), password: b64(password) } },
      });
    }
  } catch (err) {
    await emulator.close();
    throw err;
  }
  // Indexes pick VLAN and subnet; a tenant keeps its index for the life of the world.
  const indexes = new Map<string, number>();
  const serverClusterFor = (tenant: string) => {
    const name = serverClusterName(tenant);
    if (!indexes.has(name)) indexes.set(name, indexes.size);
    return ensureTenantServerCluster(emulator, tenant, indexes.get(name)!);
  };
  for (const tenant of PRESET_TENANTS) serverClusterFor(tenant);
  return { emulator, cabling, serverClusterFor };
}

/**
 * OSImage, SSHKey and the NodeProvider: a GPU type (`gpu-model: h100`) and a CPU type (`gpu-model: none`), each
 * declaring the fleet's real hardware (lab/fleet/profiles.ts: DGX H100 224 threads / 2 TiB / 8 GPUs, EPYC 9654 384
 * threads / 768 GiB), so that planning (NodeTypes) and scheduling (the Nodes' capacity) count the same numbers.
 * Without `sites`, `clusterRef` names only the namespace (the hosts are in the management cluster); with
 * sites, each site gets `<site>-gpu-h100` and `<site>-cpu` whose own clusterRef names its Cluster (zone =
 * the site). With `netrisSecret` the provider uses the Netris fabric for claims that name a server cluster.
 */
export function nodeProviderSpec(namespace = HOST_NAMESPACE, opts: { netrisSecret?: string; sites?: string[] } = {}): Record<string, unknown> {
  const gpu = { displayName: 'DGX H100 (8 GPU)', properties: { 'gpu-model': 'h100' }, resources: { cpu: '224', memory: '2Ti', 'nvidia.com/gpu': '8' }, bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'h100' } } } };
  const cpu = { displayName: 'EPYC CPU server', properties: { 'gpu-model': 'none' }, resources: { cpu: '384', memory: '768Gi' }, bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'none' } } } };
  const sites = opts.sites ?? [];
  const nodeTypes = sites.length === 0
    ? [{ name: 'gpu-h100', ...gpu }, { name: 'cpu', ...cpu }]
    : sites.flatMap((site, index) => {
      // IP reservations live in each site's cluster: every site has its own provisioning network.
      const network = { 'metal3.vcluster.com/network-cidr': `10.42.${index}.1/24`, 'metal3.vcluster.com/dns-servers': `10.42.${index}.1` };
      const at = { clusterRef: { cluster: site, namespace } };
      return [
        { name: `${site}-gpu-h100`, ...gpu, displayName: `${gpu.displayName}, ${site}`, properties: { ...gpu.properties, ...network }, ...at },
        { name: `${site}-cpu`, ...cpu, displayName: `${cpu.displayName}, ${site}`, properties: { ...cpu.properties, ...network }, ...at },
      ];
    });
  return {
    displayName: 'Metal3 bare metal (lab)',
    properties: {
      'vcluster.com/os-image': OS_IMAGE,
      'vcluster.com/ssh-keys': SSH_KEY,
      'metal3.vcluster.com/network-cidr': '10.42.0.1/24',
      'metal3.vcluster.com/dns-servers': '10.42.0.1',
    },
    metal3: {
      clusterRef: sites.length === 0 ? { namespace } : { cluster: sites[0], namespace },
      ...(opts.netrisSecret ? { netris: { secretRef: { name: opts.netrisSecret } } } : {}),
      nodeTypes,
    },
  };
}

export async function applyCatalog(kubeConfig: KubeConfig, namespace = HOST_NAMESPACE, opts: { netrisSecret?: string; sites?: string[] } = {}): Promise<void> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const create = async (plural: string, kind: string, name: string, spec: Record<string, unknown>) => {
    try {
      await custom.createClusterCustomObject({ ...LOFT, plural, body: { apiVersion: 'management.loft.sh/v1', kind, metadata: { name }, spec } });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  };
  await create('osimages', 'OSImage', OS_IMAGE, {
    displayName: 'Ubuntu 24.04 (noble)',
    properties: {
      'metal3.vcluster.com/image-url': 'http://images.lab.local/ubuntu-24.04-server-cloudimg-amd64.img',
      'metal3.vcluster.com/image-checksum': 'b'.repeat(64),
      'metal3.vcluster.com/image-checksum-type': 'sha256',
    },
  });
  await create('sshkeys', 'SSHKey', SSH_KEY, {
    displayName: 'Lab operator',
    publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILabOperatorKeyForTheMetal3LabWorld operator@lab',
  });
  await create('nodeproviders', 'NodeProvider', PROVIDER_NAME, nodeProviderSpec(namespace, opts));
}
