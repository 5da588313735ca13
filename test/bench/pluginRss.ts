/**
 * The plugin's own memory, apart from the lab API: the lab API and its 10,000 hosts run in a child
 * process; this process only activates the plugin, warms its host cache and runs a claim burst,
 * sampling its RSS. `node --expose-gc dist/test/bench/pluginRss.js [--hosts N] [--claims N]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { activate } from '../../plugin/index.js';
import { aPluginHost } from '../support/pluginHost.js';
import { claimBurst, JOIN, providerConfig } from './scenario.js';
import { CountingLogger } from './strategy.js';
import { inPool, startWorld } from './world.js';

const MiB = 2 ** 20;
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};

async function serveApi(hosts: number): Promise<void> {
  const world = await startWorld({ hosts, latencyMs: 0 });
  process.send?.({ kubeconfig: world.api.kubeconfigYaml() });
  process.on('message', () => void world.close().then(() => process.exit(0)));
}

function startApiChild(hosts: number): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-api', '--hosts', String(hosts)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { kubeconfig: string }) => resolve({ child, kubeconfig: m.kubeconfig }));
    child.once('exit', (code) => reject(new Error(`lab API child exited (${code})`)));
  });
}

function settledRss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / MiB;
}

async function measure(hosts: number, claims: number): Promise<void> {
  const { child, kubeconfig } = await startApiChild(hosts);
  try {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfig);
    const baseline = settledRss();
    const baseHeap = process.memoryUsage().heapUsed / MiB;
    const activation = await activate(aPluginHost(kc, { logger: new CountingLogger(), replicaId: 'rss' }));
    await activation.provider.configure(providerConfig());
    const warm = settledRss();
    const heap = process.memoryUsage().heapUsed / MiB - baseHeap;
    let peak = warm;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / MiB)), 20);
    const started = performance.now();
    await inPool(claimBurst(claims, 'rss0'), 100, (claim) => activation.provider.createNode(claim, JOIN));
    const wall = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss / MiB);
    await activation.dispose();
    console.log(`plugin process (lab API in a child process), ${hosts} hosts: RSS ${baseline.toFixed(0)} MiB before activate, ` +
      `${warm.toFixed(0)} MiB with the cache warm (heap +${heap.toFixed(1)} MiB), peak ${peak.toFixed(0)} MiB during ${claims} claims (${wall.toFixed(2)} s)`);
  } finally {
    child.send('stop');
  }
}

if (process.argv.includes('--serve-api')) await serveApi(arg('hosts', 10_000));
else await measure(arg('hosts', 10_000), arg('claims', 1000));
