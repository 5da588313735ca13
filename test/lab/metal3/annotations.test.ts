import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHost, getHost, patchHost, state, startWorld, waitForHost, type World } from './world.js';
import { sleep } from '../../support/waitFor.js';

const IMAGE = { url: 'http://images.lab/ubuntu.qcow2', checksum: 'c'.repeat(64), checksumType: 'sha256' };

describe('Metal3 simulator: paused, detached and reboot annotations', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('metal3-annotations');
  });
  afterAll(async () => {
    await w.close();
  });

  it('does not reconcile a paused host, and resumes when the annotation goes', async () => {
    await createHost(w, 'a1', { annotations: { 'baremetalhost.metal3.io/paused': 'user' } });
    await sleep(300);
    const paused = await getHost(w, 'a1');
    expect(paused.status).toBeUndefined();
    expect(paused.metadata.finalizers ?? []).not.toContain('baremetalhost.metal3.io');
    await patchHost(w, 'a1', { metadata: { annotations: { 'baremetalhost.metal3.io/paused': null } } });
    await waitForHost(w, 'a1', (h) => state(h) === 'available');
  });

  it('freezes a host paused mid-provisioning', async () => {
    await createHost(w, 'a2');
    await waitForHost(w, 'a2', (h) => state(h) === 'available');
    await patchHost(w, 'a2', { metadata: { annotations: { 'baremetalhost.metal3.io/paused': 'user' } }, spec: { image: IMAGE, online: true } });
    await sleep(300);
    expect(state(await getHost(w, 'a2'))).toBe('available');
    await patchHost(w, 'a2', { metadata: { annotations: { 'baremetalhost.metal3.io/paused': null } } });
    await waitForHost(w, 'a2', (h) => state(h) === 'provisioned');
  });

  it('detaches an available host (operationalStatus detached, no provisioning) and reattaches it', async () => {
    await createHost(w, 'a3');
    await waitForHost(w, 'a3', (h) => state(h) === 'available');
    await patchHost(w, 'a3', { metadata: { annotations: { 'baremetalhost.metal3.io/detached': '' } } });
    await waitForHost(w, 'a3', (h) => h.status?.operationalStatus === 'detached');
    await patchHost(w, 'a3', { spec: { image: IMAGE, online: true } });
    await sleep(300);
    const detached = await getHost(w, 'a3');
    expect(state(detached)).toBe('available');
    expect(detached.status?.conditions?.find((c) => c.type === 'Manageable')?.reason).toBe('Detached');
    await patchHost(w, 'a3', { metadata: { annotations: { 'baremetalhost.metal3.io/detached': null } } });
    const h = await waitForHost(w, 'a3', (x) => state(x) === 'provisioned');
    expect(h.status?.operationalStatus).toBe('OK');
  });

  it('does not detach a host in a state BMO refuses (inspecting) unless forced', async () => {
    w.sim.setFaultPlan('a4', { hang: { state: 'inspecting' } });
    await createHost(w, 'a4');
    await waitForHost(w, 'a4', (h) => state(h) === 'inspecting');
    await patchHost(w, 'a4', { metadata: { annotations: { 'baremetalhost.metal3.io/detached': '' } } });
    w.sim.setFaultPlan('a4', { hang: { state: 'preparing' } });
    await waitForHost(w, 'a4', (h) => state(h) === 'preparing');
    expect((await getHost(w, 'a4')).status?.operationalStatus).toBe('OK');
    await patchHost(w, 'a4', { metadata: { annotations: { 'baremetalhost.metal3.io/detached': '{"force":true}' } } });
    w.sim.setFaultPlan('a4');
    await waitForHost(w, 'a4', (h) => h.status?.operationalStatus === 'detached');
    expect(state(await getHost(w, 'a4'))).toBe('preparing');
  });

  it('power cycles a provisioned host on reboot.metal3.io/<key> and removes the annotation', async () => {
    await createHost(w, 'a5');
    await waitForHost(w, 'a5', (h) => state(h) === 'available');
    await patchHost(w, 'a5', { spec: { image: IMAGE, online: true } });
    await waitForHost(w, 'a5', (h) => state(h) === 'provisioned' && h.status?.poweredOn === true);
    const before = w.power.length;
    await patchHost(w, 'a5', { metadata: { annotations: { 'reboot.metal3.io/remediation': '{"mode":"hard"}' } } });
    const h = await waitForHost(w, 'a5', (x) =>
      !x.metadata.annotations?.['reboot.metal3.io/remediation'] && x.status?.poweredOn === true && w.power.length >= before + 2);
    expect(state(h)).toBe('provisioned');
    expect(w.power.slice(before).map((e) => [e.host, e.poweredOn, e.reason])).toEqual([
      ['a5', false, 'reboot'], ['a5', true, 'reboot'],
    ]);
  });

  it('powers a host on and off to follow spec.online in a stable state', async () => {
    await createHost(w, 'a6');
    await waitForHost(w, 'a6', (h) => state(h) === 'available');
    await patchHost(w, 'a6', { spec: { online: true } });
    await waitForHost(w, 'a6', (h) => h.status?.poweredOn === true);
    await patchHost(w, 'a6', { spec: { online: false } });
    await waitForHost(w, 'a6', (h) => h.status?.poweredOn === false);
    expect(w.power.filter((e) => e.host === 'a6').map((e) => e.poweredOn)).toEqual([true, false]);
  });
});

describe('Metal3 simulator: provisioning limit', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('metal3-limit', { provisioningLimit: 1, timings: { inspecting: 150 } });
  });
  afterAll(async () => {
    await w.close();
  });

  it('holds hosts beyond PROVISIONING_LIMIT in inspecting with operationalStatus delayed until a slot frees', async () => {
    const names = ['l1', 'l2', 'l3'];
    await Promise.all(names.map((n) => createHost(w, n)));
    const delayedSeen = async () => {
      for (let i = 0; i < 500; i++) {
        const name = names.find((n) => w.opStatuses.get(n)?.includes('delayed'));
        if (name) return getHost(w, name);
        await sleep(10);
      }
      throw new Error('no host was ever delayed');
    };
    const delayed = await delayedSeen();
    expect(w.phases.get(delayed.metadata.name)).toContain('inspecting/delayed');
    for (const n of names) await waitForHost(w, n, (h) => state(h) === 'available' && h.status?.operationalStatus === 'OK');
    const delayedHosts = names.filter((n) => w.opStatuses.get(n)?.includes('delayed'));
    expect(delayedHosts.length).toBeGreaterThanOrEqual(2);
  });
});

describe('Metal3 simulator: deletion', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('metal3-delete');
  });
  afterAll(async () => {
    await w.close();
  });

  const hardwareDataExists = async (name: string) => {
    try {
      await w.custom.getNamespacedCustomObject({
        group: 'metal3.io', version: 'v1alpha1', plural: 'hardwaredata', namespace: w.namespace, name,
      });
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === 404) return false;
      throw e;
    }
  };
  const deleteHost = (name: string) => w.custom.deleteNamespacedCustomObject({
    group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: w.namespace, name,
  });
  const gone = async (name: string) => {
    for (let i = 0; i < 500; i++) {
      try {
        await getHost(w, name);
      } catch (e) {
        if ((e as { code?: number }).code === 404) return;
        throw e;
      }
      await sleep(15);
    }
    throw new Error(`${name} was not deleted`);
  };

  it('deletes a provisioned host through deprovisioning, powering off before delete and deleting', async () => {
    await createHost(w, 'd1');
    await waitForHost(w, 'd1', (h) => state(h) === 'available');
    await patchHost(w, 'd1', { spec: { image: IMAGE, online: true } });
    await waitForHost(w, 'd1', (h) => state(h) === 'provisioned');
    expect(await hardwareDataExists('d1')).toBe(true);
    await deleteHost('d1');
    await gone('d1');
    expect(w.states.get('d1')?.slice(-4)).toEqual(['provisioned', 'deprovisioning', 'powering off before delete', 'deleting']);
    expect(await hardwareDataExists('d1')).toBe(false);
  });

  it('deletes an available host through powering off before delete', async () => {
    await createHost(w, 'd2');
    await waitForHost(w, 'd2', (h) => state(h) === 'available');
    await deleteHost('d2');
    await gone('d2');
    expect(w.states.get('d2')?.slice(-3)).toEqual(['available', 'powering off before delete', 'deleting']);
  });

  it('deletes a host stuck registering straight through deleting', async () => {
    await createHost(w, 'd3', { withSecret: false });
    await waitForHost(w, 'd3', (h) => h.status?.errorType === 'registration error');
    await deleteHost('d3');
    await gone('d3');
    expect(w.states.get('d3')?.slice(-2)).toEqual(['registering', 'deleting']);
  });
});
