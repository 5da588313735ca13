import type { PlatformDeps } from '../deps.js';
import { NodeClaimController } from './controller.js';

/** Starts the NodeClaim lifecycle controller (schedule, token + launch, registration, join timeout, termination). */
export async function startNodeClaimController(deps: PlatformDeps): Promise<{ stop(): Promise<void> }> {
  const controller = new NodeClaimController(deps);
  await controller.start();
  return { stop: () => controller.stop() };
}
