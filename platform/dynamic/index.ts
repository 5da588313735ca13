import type { PlatformDeps } from '../deps.js';
import type { DynamicOptions } from './context.js';
import { DynamicPoolsController, type DynamicPoolsHooks } from './controller.js';

/** Starts the provisioner and disruption for every tenant's dynamic autoNodes pools. */
export async function startDynamicPools(
  deps: PlatformDeps, options: Partial<DynamicOptions> = {}, hooks: DynamicPoolsHooks = {},
): Promise<{ stop(): Promise<void> }> {
  const controller = new DynamicPoolsController(deps, options, hooks);
  await controller.start();
  return { stop: () => controller.stop() };
}
