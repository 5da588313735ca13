import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createHost, createSecret, getHost, patchHost, state, startWorld, waitForHost, type World,
} from './world.js';
import { sleep } from '../../support/waitFor.js';

const IMAGE = {
  url: 'http://images.lab/ubuntu-24.04.qcow2',
  checksum: 'a'.repeat(64),
  checksumType: 'sha256',
  format: 'qcow2',
};

async function availableHost(w: World, name: string, spec: Record<string, unknown> = {}) {
  await createHost(w, name, { spec });
  await waitForHost(w, name, (h) => state(h) === 'available');
}


describe('Metal3 simulator: provisioning and deprovisioning', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('metal3-prov', { maxProvisioningRetries: 3 });
  });
  afterAll(async () => {
    await w.close();
  });

  it('provisions a host given image, userData Secret and online, then powers it on', async () => {
    await availableHost(w, 'p1');
    await createSecret(w, 'p1-user-data', { userData: '#cloud-config\n' });
    await patchHost(w, 'p1', { spec: { image: IMAGE, userData: { name: 'p1-user-data' }, online: true } });
    const h = await waitForHost(w, 'p1', (x) => state(x) === 'provisioned');
    expect(w.states.get('p1')?.slice(-2)).toEqual(['provisioning', 'provisioned']);
    expect(h.status?.poweredOn).toBe(true);
    expect(h.status?.operationalStatus).toBe('OK');
    expect(h.status?.provisioning.image?.url).toBe(IMAGE.url);
    expect(h.status?.lastAttemptedImage?.url).toBe(IMAGE.url);
    expect(h.status?.operationHistory?.provision?.end).toBeTruthy();
    expect(w.power).toContainEqual(expect.objectContaining({ host: 'p1', poweredOn: true, reason: 'provisioned' }));
  });

  it('deprovisions (cleaning) back to available when the image is cleared', async () => {
    await patchHost(w, 'p1', { spec: { image: null, userData: null, online: false } });
    const h = await waitForHost(w, 'p1', (x) => state(x) === 'available' && x.status?.poweredOn === false);
    expect(w.states.get('p1')?.slice(-3)).toEqual(['provisioned', 'deprovisioning', 'available']);
    expect(h.status?.provisioning.image).toBeUndefined();
    expect(h.status?.operationHistory?.deprovision?.end).toBeTruthy();
  });

  it('with automatedCleaningMode disabled still passes through deprovisioning', async () => {
    await availableHost(w, 'p2', { automatedCleaningMode: 'disabled' });
    await patchHost(w, 'p2', { spec: { image: IMAGE, online: true } });
    await waitForHost(w, 'p2', (x) => state(x) === 'provisioned');
    await patchHost(w, 'p2', { spec: { image: null, online: false } });
    await waitForHost(w, 'p2', (x) => state(x) === 'available');
    expect(w.states.get('p2')?.slice(-4)).toEqual(['provisioning', 'provisioned', 'deprovisioning', 'available']);
  });

  it('fails provisioning on a missing userData Secret, retries up to the limit, then waits for a new image', async () => {
    await availableHost(w, 'p3');
    await patchHost(w, 'p3', { spec: { image: IMAGE, userData: { name: 'p3-missing' }, online: true } });
    const failed = await waitForHost(w, 'p3', (x) => x.status?.provisioningFailCount === 3 && state(x) === 'available');
    expect(failed.status?.operationalStatus).toBe('error');
    expect(failed.status?.errorType).toBe('provisioning error');
    expect(failed.status?.errorMessage).toBe('Secret "metal3-prov/p3-missing" referenced by spec.userData not found');
    expect(failed.status?.errorCount).toBeGreaterThanOrEqual(3);
    // Every attempt went through deprovisioning back to available.
    const seen = w.states.get('p3') ?? [];
    expect(seen.filter((s) => s === 'provisioning')).toHaveLength(3);
    expect(seen.filter((s) => s === 'deprovisioning')).toHaveLength(3);

    // The Secret alone does not restart it: BMO waits for the image to change.
    await createSecret(w, 'p3-missing', { userData: '#cloud-config\n' });
    await sleep(300);
    const stuck = await getHost(w, 'p3');
    expect(state(stuck)).toBe('available');
    expect(stuck.status?.provisioningFailCount).toBe(3);

    await patchHost(w, 'p3', { spec: { image: { ...IMAGE, url: 'http://images.lab/ubuntu-24.04-v2.qcow2' } } });
    const ok = await waitForHost(w, 'p3', (x) => state(x) === 'provisioned');
    expect(ok.status?.provisioningFailCount).toBe(0);
    expect(ok.status?.errorType).toBeUndefined();
    expect(ok.status?.errorMessage).toBe('');
  });

  it('reports a Secret without the userData key', async () => {
    await availableHost(w, 'p4');
    await createSecret(w, 'p4-user-data', { value: 'x' });
    await patchHost(w, 'p4', { spec: { image: IMAGE, userData: { name: 'p4-user-data' }, online: true } });
    const h = await waitForHost(w, 'p4', (x) => x.status?.errorType === 'provisioning error');
    expect(h.status?.errorMessage).toContain('has no key "userData"');
  });

  it('requires an image checksum except for live-iso (BMO\'s webhook refuses the write)', async () => {
    await availableHost(w, 'p5');
    await expect(patchHost(w, 'p5', { spec: { image: { url: IMAGE.url, format: 'qcow2' }, online: true } }))
      .rejects.toMatchObject({ code: 403, body: expect.stringContaining('checksum is required for normal images') });

    await availableHost(w, 'p6');
    await patchHost(w, 'p6', { spec: { image: { url: 'http://images.lab/rescue.iso', format: 'live-iso' }, online: true } });
    await waitForHost(w, 'p6', (x) => state(x) === 'provisioned');
  });

  it('fails when no disk matches the root device hints, with Ironic\'s message', async () => {
    await availableHost(w, 'p7', { rootDeviceHints: { deviceName: '/dev/sdz' } });
    await patchHost(w, 'p7', { spec: { image: IMAGE, online: true } });
    const h = await waitForHost(w, 'p7', (x) => x.status?.errorType === 'provisioning error');
    expect(h.status?.errorMessage).toContain('No suitable device found for hints');
  });

  it('an unknown checksumType never reaches the simulator: the CRD enum rejects it naming the field', async () => {
    await availableHost(w, 'p8');
    let error: { code?: number; body?: string } | undefined;
    try {
      await patchHost(w, 'p8', { spec: { image: { ...IMAGE, checksumType: 'sha1' }, online: true } });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.code).toBe(422);
    expect(error?.body).toContain('spec.image.checksumType');
  });
});
