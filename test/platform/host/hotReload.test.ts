import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { CONTRACT_VERSION, type NodeClaimView, type ObjectRef } from '../../../plugin/contract.js';
import { ProviderPlugin } from '../../../platform/host/providerPlugin.js';
import { silentLogger } from '../../../platform/observability/logger.js';
import { installProbe, scratchPackage } from './helpers.js';
import { waitFor } from '../../support/waitFor.js';

function claim(uid: string): NodeClaimView {
  return { uid, name: `claim-${uid}`, namespace: 'p-test', nodeType: 'small' };
}

const JOIN = { endpoint: 'https://x', caCertPem: '', caCertHash: '', token: '' };

function countByType(resources: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

function gate(probe: ReturnType<typeof installProbe>, uid: string): () => void {
  let open!: () => void;
  probe.gates.set(uid, new Promise<void>((resolve) => (open = resolve)));
  return open;
}

const setVersion = (version: string) => (text: string) => text.replace(/^version: .*$/m, `version: ${version}`);

describe('provider plugin hot reload', () => {
  let kubeConfig: KubeConfig;
  /** What each test started, stopped after it (whatever it asserted). */
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(() => {
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /**
   * A scratch copy of the fake plugin at `version`, loaded by its own ProviderPlugin (started, and configured
   * unless told otherwise), with a fresh probe and what the host was told: Events and node type changes.
   */
  async function serving(version = '1.0.0', opts: { configure?: boolean } = {}) {
    const probe = installProbe();
    const pkg = await scratchPackage();
    cleanups.push(() => pkg.remove());
    await pkg.setManifest(setVersion(version));
    const events: { ref: ObjectRef; reason: string; message: string }[] = [];
    const told = { nodeTypeChanges: 0 };
    const plugin = new ProviderPlugin({
      registration: { name: 'fake-provider', path: pkg.packageDir },
      pluginsRoot: pkg.pluginsRoot,
      kubeConfig,
      logger: silentLogger(),
      events: { record: (ref, _type, reason, message) => events.push({ ref, reason, message }) },
      drainTimeoutMs: 10_000,
      versionPollMs: 50,
      onNodeTypesChanged: () => (told.nodeTypeChanges += 1),
    });
    cleanups.push(() => plugin.stop());
    await plugin.start();
    if (opts.configure !== false) await plugin.provider.configure({ name: 'fake-provider', spec: {} });
    return { probe, pkg, plugin, events, told };
  }

  it('serves v1 from its own version folder with the host copy of client-node', async () => {
    const { probe, pkg, plugin } = await serving('1.0.0', { configure: false });
    expect(plugin.version).toBe('1.0.0');
    expect(plugin.versionId).toBe('1.0.0-1');
    expect(existsSync(join(pkg.pluginsRoot, 'fake-provider', '1.0.0-1', 'plugin', 'index.ts'))).toBe(true);
    expect(probe.sharedClientNode).toEqual([true]);
    await plugin.provider.configure({ name: 'fake-provider', spec: {} });
    expect(probe.calls).toEqual(['1.0.0:configure:fake-provider']);
  });

  it("passes the plugin's nodeTypesChanged() on to the host", async () => {
    const { plugin, told } = await serving();
    const before = told.nodeTypeChanges;
    await plugin.provider.configure({ name: 'fake-provider', spec: {} }); // the fake reports a change on configure
    expect(told.nodeTypeChanges).toBe(before + 1);
  });

  it('switches new calls to v2 on a version change while calls in flight finish on v1, then disposes v1', async () => {
    const { probe, pkg, plugin } = await serving('1.0.0');
    const openA = gate(probe, 'a');
    const openB = gate(probe, 'b');
    const a = plugin.provider.createNode(claim('a'), JOIN);
    const b = plugin.provider.createNode(claim('b'), JOIN);
    await waitFor(() => probe.calls.filter((c) => c.includes('createNode')).length === 2, { what: 'two calls in flight', timeoutMs: 5000 });

    await pkg.setManifest(setVersion('2.0.0'));
    await waitFor(() => plugin.version === '2.0.0', { what: 'v2 to be active', timeoutMs: 5000 });
    // v2 was configured with the last good config before taking calls.
    expect(probe.calls).toContain('2.0.0:configure:fake-provider');

    const c = await plugin.provider.createNode(claim('c'), JOIN);
    expect(c.machine.name).toBe('host-2.0.0');
    expect(probe.events).not.toContain('dispose 1.0.0');

    openA();
    openB();
    expect((await a).machine.name).toBe('host-1.0.0');
    expect((await b).machine.name).toBe('host-1.0.0');
    await waitFor(() => probe.events.includes('dispose 1.0.0'), { what: 'v1 dispose', timeoutMs: 5000 });
    const order = probe.events;
    expect(order.indexOf('dispose 1.0.0')).toBeGreaterThan(order.indexOf('done 1.0.0 a'));
    expect(order.indexOf('dispose 1.0.0')).toBeGreaterThan(order.indexOf('done 1.0.0 b'));
    await waitFor(() => !existsSync(join(pkg.pluginsRoot, 'fake-provider', '1.0.0-1')), { what: 'v1 folder removal', timeoutMs: 5000 });

    // Each call ran exactly once, on exactly one version.
    const creates = probe.calls.filter((x) => x.includes(':createNode:'));
    expect(creates.sort()).toEqual(['1.0.0:createNode:a', '1.0.0:createNode:b', '2.0.0:createNode:c']);
  });

  it('keeps v2 serving when v3 fails to activate, and reports the failure', async () => {
    const { probe, pkg, plugin, events } = await serving('2.0.0');
    probe.failActivation.add('3.0.0');
    await pkg.setManifest(setVersion('3.0.0'));
    await expect(plugin.reload()).rejects.toThrow('fake activation of 3.0.0 refused');
    expect(plugin.version).toBe('2.0.0');
    const d = await plugin.provider.createNode(claim('d'), JOIN);
    expect(d.machine.name).toBe('host-2.0.0');
    expect(probe.events).not.toContain('dispose 2.0.0');
    const failure = events.find((e) => e.reason === 'PluginActivationFailed');
    expect(failure?.ref).toMatchObject({ kind: 'NodeProvider', name: 'fake-provider' });
    expect(failure?.message).toContain('version 2.0.0 keeps serving');
  });

  it('refuses a version built for a newer contract minor than the host offers, naming contractVersion, and keeps the old one serving', async () => {
    const { probe, pkg, plugin, events } = await serving('2.0.0');
    const [major, minor] = CONTRACT_VERSION.split('.').map(Number);
    const newer = `${major}.${minor + 1}.0`;
    await pkg.setManifest((t) => setVersion('3.0.0')(t).replace(/^contractVersion: .*$/m, `contractVersion: ${newer}`));
    const refusal = `contractVersion: ${newer} is newer than the host's contract ${CONTRACT_VERSION}`;
    await expect(plugin.reload()).rejects.toThrow(refusal);
    expect(plugin.version).toBe('2.0.0');
    expect(probe.events).not.toContain('activate 3.0.0');
    expect((await plugin.provider.createNode(claim('e'), JOIN)).machine.name).toBe('host-2.0.0');
    const failure = events.find((e) => e.reason === 'PluginActivationFailed');
    expect(failure?.message).toContain(refusal);
    expect(failure?.message).toContain('version 2.0.0 keeps serving');
  });

  it('activates v3 once it is fixed (SIGHUP-style reload) and reports the new version', async () => {
    const { probe, pkg, plugin } = await serving('2.0.0');
    probe.failActivation.add('3.0.0');
    await pkg.setManifest(setVersion('3.0.0'));
    await expect(plugin.reload()).rejects.toThrow('fake activation of 3.0.0 refused');
    probe.failActivation.clear();
    await plugin.reload();
    expect(plugin.version).toBe('3.0.0');
    expect(plugin.versionId).toMatch(/^3\.0\.0-\d+$/);
    await waitFor(() => probe.events.includes('dispose 2.0.0'), { what: 'v2 dispose', timeoutMs: 5000 });
  });

  it('disposes the last version on stop and leaves no handles behind', async () => {
    const baseline = process.getActiveResourcesInfo().sort();
    const { probe, pkg, plugin } = await serving('1.0.0');
    await pkg.setManifest(setVersion('3.0.0'));
    await plugin.reload();
    await plugin.stop();
    expect(probe.events).toContain('dispose 3.0.0');
    await expect(plugin.provider.listNodes()).rejects.toMatchObject({ code: 'Transient' });
    const withinBaseline = () => {
      const now = countByType(process.getActiveResourcesInfo());
      const before = countByType(baseline);
      return [...now].every(([type, n]) => n <= (before.get(type) ?? 0));
    };
    await waitFor(withinBaseline, { what: `handles back to baseline ${JSON.stringify(baseline)}, now ${JSON.stringify(process.getActiveResourcesInfo().sort())}`, timeoutMs: 3000 });
  });
});
