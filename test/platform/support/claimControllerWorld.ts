/**
 * The world most NodeClaim controller tests start from: a lab harness, one FakeProvider registered as
 * `m3`, its NodeTypes, a tenant access Secret, and the controller itself. `stop()` undoes it all.
 */
import type { PlatformOptions } from '../../../platform/deps.js';
import { startNodeClaimController } from '../../../platform/nodeClaims/index.js';
import { FakeProvider, type FakeProviderOptions } from './fakeProvider.js';
import { startHarness, type Harness } from './harness.js';
import { createNodeType } from './objects.js';

type NodeTypeOptions = Parameters<typeof createNodeType>[3];

export interface ClaimControllerWorld {
  h: Harness;
  provider: FakeProvider;
  /** Starts another controller with these options over the harness's fast ones; `stop()` stops it too. */
  startController(options?: Partial<PlatformOptions>): Promise<{ stop(): Promise<void> }>;
  /** Stops every controller started (and not stopped yet), then the lab API servers. */
  stop(): Promise<void>;
}

export interface ClaimControllerWorldOptions {
  provider?: FakeProviderOptions;
  /** NodeTypes of `m3` (or of another provider, as `other.cheap`) to create; default one `small`. */
  nodeTypes?: Record<string, NodeTypeOptions>;
  /** Tenants whose access Secret is written; default `vc1`. */
  tenants?: string[];
  /** Controller options over the harness's fast ones; `false` starts no controller (the test starts its own). */
  controller?: Partial<PlatformOptions> | false;
}

export async function startClaimControllerWorld(opts: ClaimControllerWorldOptions = {}): Promise<ClaimControllerWorld> {
  const h = await startHarness();
  const running = new Set<{ stop(): Promise<void> }>();
  const startController = async (options: Partial<PlatformOptions> = {}) => {
    const started = await startNodeClaimController(h.deps(options));
    const controller = {
      async stop() {
        running.delete(controller);
        await started.stop();
      },
    };
    running.add(controller);
    return controller;
  };
  const stopAll = async () => {
    for (const controller of [...running]) await controller.stop();
    await h.close();
  };
  try {
    const provider = new FakeProvider(opts.provider);
    h.providers.map.set('m3', provider);
    for (const [name, typeOptions] of Object.entries(opts.nodeTypes ?? { small: {} })) {
      const [providerName, typeName] = name.includes('.') ? name.split('.', 2) as [string, string] : ['m3', name];
      await createNodeType(h, providerName, typeName, typeOptions);
    }
    for (const tenant of opts.tenants ?? ['vc1']) await h.writeTenantSecret(tenant);
    if (opts.controller !== false) await startController(opts.controller);
    return { h, provider, startController, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
