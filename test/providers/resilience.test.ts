/**
 * API trouble: the host cache restarts its watch after errors (client-node's informer does not), and
 * throttling/5xx surface as TransientError with the server's Retry-After, leaving nothing behind.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isTransient, type NodeProvider, type PluginActivation, type TransientError } from '../../plugin/contract.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, seedPlatformObjects } from './helpers.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { aClaim, JOIN } from '../support/builders.js';
import { expectNothingLeftFor } from '../support/expectations.js';

describe('resilience to API trouble', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  let provider: NodeProvider;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    await lab.createHost('res-01', { ...CPU_HOST });
    ({ activation, provider } = await activateConfigured(lab));
  });

  afterAll(async () => {
    lab?.api.faults.clear();
    await activation?.dispose();
    await lab?.close();
  });

  it('restarts the BareMetalHost watch after it fails, and sees hosts created meanwhile', async () => {
    expect((await provider.nodeTypes())[0].capacity.total).toBe(1);
    lab.api.faults.set({ errorRate: { WATCH: 1 } });
    lab.api.dropWatches();
    await sleep(100); // the informer re-watches, gets 500s and backs off
    await lab.createHost('res-02', { ...CPU_HOST });
    lab.api.faults.clear();
    await waitFor(async () => (await provider.nodeTypes())[0].capacity.total === 2, { timeoutMs: 10000 });
  });

  it('answers TransientError with retryAfterMs when the API throttles, and leaves nothing behind', async () => {
    const claim = aClaim();
    lab.api.faults.set({ throttleRate: 1, match: (req) => req.verb === 'UPDATE' && req.resource === 'baremetalhosts' });
    try {
      const err = await provider.createNode(claim, JOIN).catch((e: unknown) => e);
      expect(isTransient(err)).toBe(true);
      expect((err as TransientError).retryAfterMs).toBe(1000);
      expect((err as Error).message).toMatch(/BareMetalHost .*429/);
    } finally {
      lab.api.faults.clear();
    }
    await expectNothingLeftFor(lab, claim.uid);
    expect((await provider.createNode(claim, JOIN)).phase).toBe('Claimed');
  });
});
