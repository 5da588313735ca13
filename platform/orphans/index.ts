import type { PlatformDeps } from '../deps.js';
import { OrphanCollector } from './collector.js';

/**
 * Starts orphan collection: at start and then periodically (`intervalMs`, default 60 s; while a
 * release is in progress the next pass continues it, as deleteNode is idempotent).
 */
export async function startOrphanCollector(deps: PlatformDeps, intervalMs?: number): Promise<{ stop(): Promise<void> }> {
  const collector = new OrphanCollector(deps, intervalMs);
  collector.start();
  return { stop: () => collector.stop() };
}
