/** One lab world for an e2e file: a fresh folder under .lab, test timings, and the project namespace created. */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startWorld, type World, type WorldOptions } from '../../lab/world.js';
import { REPO_ROOT } from '../platform/host/helpers.js';

export interface E2eWorld {
  world: World;
  /** The world's folder (servers' sandboxes, tenants' kubeconfigs). */
  dir: string;
  custom: CustomObjectsApi;
  stop(): Promise<void>;
}

export async function startE2eWorld(project: string, opts: Omit<WorldOptions, 'dir' | 'timings'> = {}, prefix = 'e2e-'): Promise<E2eWorld> {
  await mkdir(join(REPO_ROOT, '.lab'), { recursive: true });
  const dir = await mkdtemp(join(REPO_ROOT, '.lab', prefix));
  const world = await startWorld({ dir, timings: 'test', ...opts });
  const custom = world.kubeConfig.makeApiClient(CustomObjectsApi);
  await world.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: project } } });
  return {
    world, dir, custom,
    async stop() {
      await world.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
