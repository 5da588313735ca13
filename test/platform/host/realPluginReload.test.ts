/**
 * Hot reload with the real plugin (plugin/index.ts and providers/) against the lab API: the new
 * version gets the configuration in force before it serves, and after stop nothing the plugin
 * started (informers, timers, sockets) is left running.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type { NodeProviderSpec } from '../../../plugin/contract.js';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { ProviderPlugin } from '../../../platform/host/providerPlugin.js';
import { silentLogger } from '../../../platform/observability/logger.js';
import { nodeProviderSpec } from '../../../lab/world.js';
import { copyPackage, REPO_ROOT } from './helpers.js';
import { waitFor } from '../../support/waitFor.js';

function countByType(resources: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

describe('hot reload of the real metal3 plugin', () => {
  let api: KubeApiServer;
  const spec = nodeProviderSpec() as NodeProviderSpec;
  /** What each test started, stopped after it (whatever it asserted). */
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    await mkdir(join(REPO_ROOT, '.lab'), { recursive: true });
    api = await startKubeApi();
    await api.kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'metal3-system' } } });
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await api?.close();
  });

  /** A copy of this repository's plugin package, loaded by its own ProviderPlugin (not started yet). */
  async function loader() {
    const root = await mkdtemp(join(REPO_ROOT, '.lab', 'real-reload-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    await copyPackage(REPO_ROOT, join(root, 'package'));
    const plugin = new ProviderPlugin({
      registration: { name: 'metal3-provider', path: join(root, 'package') },
      pluginsRoot: join(root, 'state', 'plugins'),
      kubeConfig: api.kubeConfig(),
      logger: silentLogger(),
      events: { record: () => undefined },
      drainTimeoutMs: 5000,
      versionPollMs: 0,
    });
    cleanups.push(() => plugin.stop());
    const manifest = join(root, 'package', 'manifest.yaml');
    const setVersion = async (version: string) => writeFile(manifest, (await readFile(manifest, 'utf8')).replace(/^version: .*$/m, `version: ${version}`));
    return { plugin, setVersion };
  }

  it('activates, takes the configuration and reports its node types', async () => {
    const { plugin } = await loader();
    await plugin.start();
    expect(plugin.version).toBe('0.1.0');
    await plugin.provider.configure({ name: 'metal3-provider', spec });
    const types = await plugin.provider.nodeTypes();
    expect(types.map((t) => t.name).sort()).toEqual(['cpu', 'gpu-h100']);
  });

  it('reloads to a new version that serves the same configuration', async () => {
    const { plugin, setVersion } = await loader();
    await plugin.start();
    await plugin.provider.configure({ name: 'metal3-provider', spec });
    await setVersion('0.1.1');
    await plugin.reload();
    expect(plugin.version).toBe('0.1.1');
    const types = await plugin.provider.nodeTypes();
    expect(types.map((t) => t.name).sort()).toEqual(['cpu', 'gpu-h100']);
  });

  it('leaves no plugin handles behind after stop', async () => {
    const baseline = process.getActiveResourcesInfo();
    const { plugin, setVersion } = await loader();
    await plugin.start();
    await plugin.provider.configure({ name: 'metal3-provider', spec });
    await setVersion('0.1.1');
    await plugin.reload();
    await plugin.stop();
    const withinBaseline = () => {
      const before = countByType(baseline);
      return [...countByType(process.getActiveResourcesInfo())].every(([type, n]) => n <= (before.get(type) ?? 0));
    };
    await waitFor(withinBaseline, { what: `handles back to baseline ${JSON.stringify(baseline)}, now ${JSON.stringify(process.getActiveResourcesInfo())}`, timeoutMs: 5000 });
  });
});
