import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GROUP, createHost, getHost, patchHost, state, startWorld, waitForHost, type World } from './world.js';

describe('Metal3 simulator: registration and inspection', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('metal3-reg');
  });
  afterAll(async () => {
    await w.close();
  });

  it('takes a new host through registering, inspecting and preparing to available with hardware and HardwareData', async () => {
    await createHost(w, 'host-a', { annotations: { 'lab.metal3.io/hardware-profile': 'dgx-h100' } });
    const h = await waitForHost(w, 'host-a', (x) => state(x) === 'available');
    expect(w.states.get('host-a')).toEqual(['registering', 'inspecting', 'preparing', 'available']);
    expect(h.metadata.finalizers).toContain('baremetalhost.metal3.io');
    expect(h.status?.operationalStatus).toBe('OK');
    expect(h.status?.poweredOn).toBe(false);
    expect(h.status?.provisioning.ID).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.status?.hardware?.cpu.count).toBe(224);
    expect(h.status?.hardware?.ramMebibytes).toBe(2_097_152);
    expect(h.status?.goodCredentials?.credentials?.name).toBe('host-a-bmc-secret');
    expect(h.status?.operationHistory?.register?.end).toBeTruthy();
    expect(h.status?.operationHistory?.inspect?.end).toBeTruthy();
    expect(h.status?.conditions?.find((c) => c.type === 'AvailableForProvisioning')?.status).toBe('True');
    const hd = await w.custom.getNamespacedCustomObject({
      group: 'metal3.io', version: 'v1alpha1', plural: 'hardwaredata', namespace: w.namespace, name: 'host-a',
    });
    expect(hd.spec.hardware.nics).toHaveLength(10);
    expect(hd.spec.hardware.cpu.model).toBe('Intel(R) Xeon(R) Platinum 8480C');
  });

  it('reports a registration error when the credentials Secret is missing, and recovers once it exists', async () => {
    await createHost(w, 'host-nosecret', { withSecret: false });
    const h = await waitForHost(w, 'host-nosecret', (x) => x.status?.errorType === 'registration error');
    expect(state(h)).toBe('registering');
    expect(h.status?.operationalStatus).toBe('error');
    expect(h.status?.errorMessage).toContain('host-nosecret-bmc-secret');
    await w.core.createNamespacedSecret({
      namespace: w.namespace,
      body: { metadata: { name: 'host-nosecret-bmc-secret' }, data: { username: 'YQ==', password: 'Yg==' } },
    });
    const ok = await waitForHost(w, 'host-nosecret', (x) => state(x) === 'available');
    expect(ok.status?.errorType).toBeUndefined();
    expect(ok.status?.errorMessage).toBe('');
  });

  it('moves a host found in the legacy "match profile" state on to preparing and available, as BMO does', async () => {
    await createHost(w, 'host-legacy');
    const h = await waitForHost(w, 'host-legacy', (x) => state(x) === 'available');
    await w.custom.replaceNamespacedCustomObjectStatus({
      ...GROUP, namespace: w.namespace, name: 'host-legacy',
      body: { ...h, status: { ...h.status, provisioning: { ...h.status!.provisioning, state: 'match profile' } } },
    });
    await waitForHost(w, 'host-legacy', (x) => state(x) === 'available' && (w.states.get('host-legacy') ?? []).includes('match profile'));
    expect(w.states.get('host-legacy')!.slice(-3)).toEqual(['match profile', 'preparing', 'available']);
  });

  it('reports a registration error when the Secret lacks the password key', async () => {
    await w.core.createNamespacedSecret({
      namespace: w.namespace, body: { metadata: { name: 'host-nopw-bmc-secret' }, data: { username: 'YQ==' } },
    });
    await createHost(w, 'host-nopw', { withSecret: false });
    const h = await waitForHost(w, 'host-nopw', (x) => x.status?.errorType === 'registration error');
    expect(h.status?.errorMessage).toContain("'password'");
  });

  it('leaves a host without BMC details unmanaged with operationalStatus discovered', async () => {
    await w.custom.createNamespacedCustomObject({
      group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: w.namespace,
      body: { apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost', metadata: { name: 'host-nobmc' }, spec: { online: false } },
    });
    const h = await waitForHost(w, 'host-nobmc', (x) => state(x) === 'unmanaged');
    expect(h.status?.operationalStatus).toBe('discovered');
    expect((await getHost(w, 'host-nobmc')).status?.provisioning.state).toBe('unmanaged');
  });

  it('re-inspects an available host on inspect.metal3.io and removes the annotation', async () => {
    const before = (w.states.get('host-a') ?? []).length;
    await patchHost(w, 'host-a', { metadata: { annotations: { 'inspect.metal3.io': '' } } });
    const h = await waitForHost(w, 'host-a', (x) => state(x) === 'available' && !('inspect.metal3.io' in (x.metadata.annotations ?? {})));
    expect(w.states.get('host-a')?.slice(before)).toEqual(['inspecting', 'preparing', 'available']);
    expect(h.status?.hardware?.cpu.count).toBe(224);
  });
});
