import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { PluginDirectory } from '../../../platform/host/directory.js';
import { silentLogger } from '../../../platform/observability/logger.js';
import { installProbe, scratchPackage, type Scratch } from './helpers.js';
import { waitFor } from '../../support/waitFor.js';

describe('provider directory', () => {
  let pkg: Scratch;
  const directory = new PluginDirectory();
  const probe = installProbe();

  beforeAll(async () => {
    pkg = await scratchPackage();
  });
  afterAll(async () => {
    await directory.stop();
    await pkg.remove();
  });

  it('keeps a provider whose first activation failed registered, and activates a fixed version when installed', async () => {
    probe.failActivation.add('1.0.0');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({ clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
    await expect(directory.register({
      registration: { name: 'fake-provider', path: pkg.packageDir }, pluginsRoot: pkg.pluginsRoot, kubeConfig,
      logger: silentLogger(), events: { record: () => undefined }, drainTimeoutMs: 1000, versionPollMs: 50,
    })).rejects.toThrow('fake activation of 1.0.0 refused');
    expect(directory.names()).toEqual(['fake-provider']);
    expect(directory.get('fake-provider')).toBeUndefined();

    await pkg.setManifest((t) => t.replace(/^version: .*$/m, 'version: 1.0.1'));
    await waitFor(() => directory.get('fake-provider') !== undefined, { what: 'the fixed version', timeoutMs: 5000 });
    expect(directory.plugin('fake-provider')?.version).toBe('1.0.1');
    expect(directory.configSchema('fake-provider')).toMatchObject({ type: 'object' });
    await expect(directory.reload('no-such')).rejects.toThrow('no provider registered as no-such');
  });
});
