/**
 * The two side measurements: template render throughput (user data + network data per claim), and
 * the time a hot reload takes to switch plugin versions.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import type { NodeProvider, PluginHost } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { aPluginHost } from '../support/pluginHost.js';
import { TemplateRenderer } from '../../providers/metal3/render/index.js';
import { DGX_H100, hardwareFor } from '../../lab/fleet/index.js';
import { JOIN, providerConfig, SSH_KEY } from './scenario.js';
import { CountingLogger } from './strategy.js';

export interface RenderResult {
  renders: number;
  seconds: number;
  /** One render = user data + network data for one claim. */
  rendersPerSecond: number;
  userDataBytes: number;
  networkDataBytes: number;
}

export function renderThroughput(seconds: number): RenderResult {
  const renderer = new TemplateRenderer();
  const hardware = hardwareFor(DGX_H100, 'gpu-h100-0001', { rack: 'r01' });
  const nics = hardware.nics.map((n) => ({ name: n.name, mac: n.mac }));
  let renders = 0;
  let userDataBytes = 0;
  let networkDataBytes = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    const name = `tenant-${(renders % 50) + 1}-gpu-h100-${renders}`;
    const userData = renderer.renderUserData({
      hostname: name,
      claim: { name, namespace: `p-tenant-${(renders % 50) + 1}`, uid: `0000${renders}-aaaa-4000-8000-000000000000`, vCluster: 'tenant-1' },
      join: JOIN,
      sshKeys: [SSH_KEY.publicKey],
      taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
    });
    const networkData = renderer.renderNetworkData({
      hostname: name,
      bootMac: nics[8]?.mac,
      nics,
      ip: { address: `10.20.${Math.floor(renders / 254) % 256}.${(renders % 254) + 1}`, prefixLength: 16, gateway: '10.20.0.1', dns: ['10.20.0.53'] },
    });
    userDataBytes = userData.length;
    networkDataBytes = networkData.length;
    renders++;
  }
  const elapsed = (performance.now() - started) / 1000;
  return { renders, seconds: elapsed, rendersPerSecond: renders / elapsed, userDataBytes, networkDataBytes };
}

export interface ReloadResult {
  /** `loader`: platform/host ProviderPlugin.reload() (copy + import + activate + configure + retire old). */
  method: 'loader' | 'activate+dispose';
  hosts: number;
  switchMs: number;
  /** Of which: retiring (draining + disposing) the old version, when the loader reports it separately. */
  note: string;
}

/**
 * Hot reload of the built plugin through the host's loader when it is available (from dist, where
 * the package has plugin/index.js); otherwise activate() + configure() of a second activation and
 * dispose() of the first, which is what a reload costs the plugin itself.
 */
export async function measureReload(kc: KubeConfig, hosts: number): Promise<ReloadResult> {
  const viaLoader = await reloadThroughLoader(kc, hosts).catch((err: unknown) => `loader unavailable: ${(err as Error).message}`);
  if (typeof viaLoader !== 'string') return viaLoader;
  const first = await activateConfigured(kc);
  const started = performance.now();
  const second = await activateConfigured(kc);
  await first.dispose();
  const switchMs = performance.now() - started;
  await second.dispose();
  return { method: 'activate+dispose', hosts, switchMs, note: viaLoader };
}

async function activateConfigured(kc: KubeConfig) {
  const activation = await activate(pluginHost(kc));
  await activation.provider.configure(providerConfig());
  return activation;
}

function pluginHost(kc: KubeConfig): PluginHost {
  return aPluginHost(kc, { logger: new CountingLogger(), replicaId: 'bench' });
}

interface Loader {
  provider: NodeProvider;
  start(): Promise<void>;
  reload(): Promise<void>;
  stop(): Promise<void>;
}

async function reloadThroughLoader(kc: KubeConfig, hosts: number): Promise<ReloadResult> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const packageDir = path.resolve(here, '../..');
  if (!existsSync(path.join(packageDir, 'manifest.yaml')) || !existsSync(path.join(packageDir, 'plugin', 'index.js'))) {
    throw new Error(`no built plugin package at ${packageDir} (run from dist)`);
  }
  // A variable specifier: the loader is the host's, not part of what the bench compiles against.
  const loaderModule = '../../platform/host/providerPlugin.js';
  const { ProviderPlugin } = (await import(loaderModule)) as { ProviderPlugin: new (opts: object) => Loader };
  const pluginsRoot = await mkdtemp(path.join(tmpdir(), 'bench-plugins-'));
  const host = pluginHost(kc);
  const loader = new ProviderPlugin({
    registration: { name: 'metal3-provider', path: packageDir },
    pluginsRoot,
    kubeConfig: kc,
    logger: host.logger,
    events: host.events,
    drainTimeoutMs: 10_000,
    versionPollMs: 0,
  });
  try {
    await loader.start();
    await loader.provider.configure(providerConfig());
    const started = performance.now();
    await loader.reload();
    const switchMs = performance.now() - started;
    return { method: 'loader', hosts, switchMs, note: 'copy package + import + activate + configure (informer LIST + sync) + dispose old' };
  } finally {
    await loader.stop();
    await rm(pluginsRoot, { recursive: true, force: true });
  }
}
