/**
 * Two claims of one replica and one fitting host: while the first claim's host write is in flight, the
 * second is told to wait (TransientError with a short hint), not that there is no capacity, because that
 * write may still lose and leave the host free (a 2-worker CI run once left a host free while three
 * claims had been told InsufficientCapacity). Once the write has landed, no capacity is the answer.
 * The interleaving is exact: a gate proxy holds the first claim's BareMetalHost PUT.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isInsufficientCapacity, isTransient, type PluginActivation } from '../../plugin/contract.js';
import { BUSY_HOSTS_RETRY_AFTER_MS } from '../../providers/metal3/attempts.js';
import { startGateProxy, type GateProxy } from '../support/gateProxy.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, seedPlatformObjects } from '../providers/helpers.js';
import { aClaim, JOIN } from '../support/builders.js';

describe('a claim whose only fitting host another claim of the replica is writing', () => {
  let lab: TestLab;
  let gate: GateProxy;
  let plugin: PluginActivation;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    await lab.createHost('only-1', { ...CPU_HOST });
    gate = await startGateProxy({ target: lab.api });
    ({ activation: plugin } = await activateConfigured(lab, providerConfig(lab.namespace), gate.kubeConfig));
  });

  afterAll(async () => {
    await plugin?.dispose();
    await gate?.close();
    await lab?.close();
  });

  it('waits while the write is in flight, and hears there is no capacity once the host is taken', async () => {
    const first = aClaim();
    const second = aClaim();
    const hostWrite = gate.hold((method, path) => method === 'PUT' && path.endsWith('/baremetalhosts/only-1'));
    const winning = plugin.provider.createNode(first, JOIN);
    const held = await hostWrite;

    const busy = await plugin.provider.createNode(second, JOIN).then(() => undefined, (err: unknown) => err);
    expect(isTransient(busy)).toBe(true);
    expect((busy as { retryAfterMs?: number }).retryAfterMs).toBe(BUSY_HOSTS_RETRY_AFTER_MS);

    expect(await held.release()).toBe(200);
    expect((await winning).machine.name).toBe('only-1');
    const none = await plugin.provider.createNode(second, JOIN).then(() => undefined, (err: unknown) => err);
    expect(isInsufficientCapacity(none)).toBe(true);
  });
});
