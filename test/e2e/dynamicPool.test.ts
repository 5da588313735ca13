/**
 * The demo's dynamic-pool case on the lab world with test timings and the real plugin: a GPU job pulls
 * in a DGX host, which installs and joins; the job ends, the node is consolidated, and the host is
 * cleaned and back in the pool.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGpuJobCase } from '../../lab/demo/gpuJobCase.js';
import type { World } from '../../lab/world.js';
import { deadlineIn } from '../support/testDeadline.js';
import { startE2eWorld, type E2eWorld } from './labWorld.js';

const PROJECT = 'p-demo';

describe('dynamic pool end to end on the lab world', () => {
  let lab: E2eWorld;
  let world: World;

  beforeAll(async () => {
    lab = await startE2eWorld(PROJECT, {}, 'e2e-dyn-');
    ({ world } = lab);
  }, 60_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('a GPU job pulls in a DGX host; after it ends the node is consolidated and the host is cleaned and back in the pool', async () => {
    const steps: string[] = [];
    const { done } = await startGpuJobCase(world, {
      namespace: PROJECT, tenant: 'tenant-3', runFor: '3s', consolidateAfter: '2s',
      serverCluster: world.fabric?.serverClusterFor(`${PROJECT}/tenant-3`).name,
    }, deadlineIn(120_000), (l) => steps.push(l));
    const timeline = await done;
    expect(timeline.nodeType).toBe('metal3-provider.gpu-h100');
    expect(timeline.host).toMatch(/^gpu-h100-\d+$/);
    expect(timeline.disruptionReason).toBe('Empty');
    expect(timeline.hostAvailable!).toBeGreaterThan(timeline.consolidated!);
    // The node advertised the GPUs through the device plugin, not through the provider.
    expect(steps.some((s) => s.includes(`host ${timeline.host} (8 GPUs`))).toBe(true);
  }, 150_000);
});
