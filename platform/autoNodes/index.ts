import type { PlatformDeps } from '../deps.js';
import { AutoNodesController } from './controller.js';

/** Starts the controller that keeps one NodeClaim per requested node of each static autoNodes pool. */
export async function startAutoNodesController(deps: PlatformDeps): Promise<{ stop(): Promise<void> }> {
  const controller = new AutoNodesController(deps);
  await controller.start();
  return { stop: () => controller.stop() };
}
