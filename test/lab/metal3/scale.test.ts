import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyFleet, makeFleet } from '../../../lab/fleet/index.js';
import { startWorld, type World } from './world.js';
import { sleep } from '../../support/waitFor.js';

const HOSTS = 300;

describe('Metal3 simulator at fleet scale', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('metal3-scale', { provisioningLimit: 20 });
  });
  afterAll(async () => {
    await w.close();
  });

  it(`brings ${HOSTS} hosts to available within the provisioning limit and then holds no timers`, async () => {
    await applyFleet(w.kc, makeFleet(HOSTS, { 'dgx-h100': 1, 'cpu-epyc': 2 }, { namespace: w.namespace }));
    let maxSlots = 0;
    // Slots are sampled every 50 ms (in process, cheap); the 300-host LIST only every 10th time, so the
    // test's own polling does not starve the simulator it watches.
    for (let poll = 0; ; poll++) {
      maxSlots = Math.max(maxSlots, w.sim.stats().slotsInUse);
      if (poll % 10 === 9) {
        const list = await w.custom.listNamespacedCustomObject({
          group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: w.namespace,
        });
        const available = (list.items as Array<{ status?: { provisioning?: { state?: string } } }>)
          .filter((h) => h.status?.provisioning?.state === 'available').length;
        if (available === HOSTS) break;
      }
      await sleep(50);
    }
    expect(maxSlots).toBeLessThanOrEqual(20);
    expect(w.opStatuses.size).toBe(HOSTS);
    expect([...w.opStatuses.values()].some((seen) => seen.includes('delayed'))).toBe(true);
    await sleep(100);
    expect(w.sim.stats()).toEqual({ hosts: HOSTS, pendingTimers: 0, slotsInUse: 0 });
  }, 120_000);
});
