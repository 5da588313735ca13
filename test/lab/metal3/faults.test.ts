import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseFaultPlan } from '../../../lab/metal3/index.js';
import { createHost, getHost, patchHost, state, startWorld, waitForHost, type World } from './world.js';
import { sleep } from '../../support/waitFor.js';

const IMAGE = { url: 'http://images.lab/ubuntu.qcow2', checksum: 'b'.repeat(64), checksumType: 'sha256' };

describe('Metal3 simulator: fault plans', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('metal3-faults', { maxProvisioningRetries: 2 });
  });
  afterAll(async () => {
    await w.close();
  });

  it('bmcUnreachable yields a registration error until the fault is spent', async () => {
    w.sim.setFaultPlan('f1', { bmcUnreachable: { times: 2 } });
    await createHost(w, 'f1');
    const failing = await waitForHost(w, 'f1', (h) => h.status?.errorType === 'registration error');
    expect(state(failing)).toBe('registering');
    expect(failing.status?.operationalStatus).toBe('error');
    expect(failing.status?.errorMessage).toMatch(/^Failed to get power state for node [0-9a-f-]{36}\. Error: /);
    const ok = await waitForHost(w, 'f1', (h) => state(h) === 'available');
    expect(ok.status?.errorType).toBeUndefined();
  });

  it('provisioningError from the annotation fails one deploy with Ironic\'s message, then the retry succeeds', async () => {
    await createHost(w, 'f2', { annotations: { 'lab.metal3.io/fault': '{"provisioningError":{"times":1,"message":"Image checksum mismatch"}}' } });
    await waitForHost(w, 'f2', (h) => state(h) === 'available');
    await patchHost(w, 'f2', { spec: { image: IMAGE, online: true } });
    const failed = await waitForHost(w, 'f2', (h) => h.status?.errorType === 'provisioning error');
    expect(failed.status?.errorMessage).toContain('Image checksum mismatch');
    expect(failed.status?.provisioningFailCount).toBe(1);
    const ok = await waitForHost(w, 'f2', (h) => state(h) === 'provisioned');
    expect(ok.status?.operationalStatus).toBe('OK');
    expect(ok.status?.provisioningFailCount).toBe(0);
    expect(w.states.get('f2')).toEqual(expect.arrayContaining(['provisioning', 'deprovisioning', 'available', 'provisioned']));
  });

  it('a permanent provisioningError stops at maxProvisioningRetries with the host available in error', async () => {
    w.sim.setFaultPlan('f3', { provisioningError: { message: 'No suitable device found for hints {"deviceName":"/dev/sda"}' } });
    await createHost(w, 'f3');
    await waitForHost(w, 'f3', (h) => state(h) === 'available');
    await patchHost(w, 'f3', { spec: { image: IMAGE, online: true } });
    const h = await waitForHost(w, 'f3', (x) => x.status?.provisioningFailCount === 2 && state(x) === 'available');
    expect(h.status?.errorMessage).toContain('No suitable device found for hints');
    await sleep(300);
    expect((await getHost(w, 'f3')).status?.provisioningFailCount).toBe(2);
    expect(state(await getHost(w, 'f3'))).toBe('available');
  });

  it('cleaningFailure keeps the host in deprovisioning with "Cleaning failed: …" until cleaning succeeds', async () => {
    await createHost(w, 'f4');
    await waitForHost(w, 'f4', (h) => state(h) === 'available');
    await patchHost(w, 'f4', { spec: { image: IMAGE, online: true } });
    await waitForHost(w, 'f4', (h) => state(h) === 'provisioned');
    w.sim.setFaultPlan('f4', { cleaningFailure: { times: 2, message: 'Erase device /dev/nvme1n1 failed' } });
    await patchHost(w, 'f4', { spec: { image: null, online: false } });
    const failing = await waitForHost(w, 'f4', (h) => h.status?.errorType === 'provisioning error');
    expect(state(failing)).toBe('deprovisioning');
    expect(failing.status?.errorMessage).toBe('Cleaning failed: Erase device /dev/nvme1n1 failed');
    const ok = await waitForHost(w, 'f4', (h) => state(h) === 'available');
    expect(ok.status?.errorType).toBeUndefined();
    expect(ok.status?.operationalStatus).toBe('OK');
  });

  it('hang stops progress in the named state until the plan is cleared', async () => {
    w.sim.setFaultPlan('f5', { hang: { state: 'provisioning' } });
    await createHost(w, 'f5');
    await waitForHost(w, 'f5', (h) => state(h) === 'available');
    await patchHost(w, 'f5', { spec: { image: IMAGE, online: true } });
    await waitForHost(w, 'f5', (h) => state(h) === 'provisioning');
    await sleep(400);
    expect(state(await getHost(w, 'f5'))).toBe('provisioning');
    w.sim.setFaultPlan('f5');
    await waitForHost(w, 'f5', (h) => state(h) === 'provisioned');
  });

  it('ignores a malformed fault annotation and carries on', async () => {
    await createHost(w, 'f6', { annotations: { 'lab.metal3.io/fault': '{not json' } });
    await waitForHost(w, 'f6', (h) => state(h) === 'available');
  });
});

describe('parseFaultPlan', () => {
  it('names the annotation and the problem', () => {
    expect(() => parseFaultPlan('{x')).toThrow(/lab\.metal3\.io\/fault is not valid JSON/);
    expect(() => parseFaultPlan('{"explode":true}')).toThrow(/unknown fault "explode"/);
    expect(() => parseFaultPlan('{"hang":3}')).toThrow(/"hang" must be true\/false or an object/);
    expect(() => parseFaultPlan('{"provisioningError":{"times":-1}}')).toThrow(/provisioningError\.times/);
    expect(parseFaultPlan('{"cleaningFailure":true}')).toEqual({ cleaningFailure: true });
  });
});
