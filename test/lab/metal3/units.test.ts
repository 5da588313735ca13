import { describe, expect, it } from '@jest/globals';
import { bmcDriverFor, parseBmcAddress } from '../../../lab/metal3/admission/bmcAccess.js';
import { HostQueue } from '../../../lab/metal3/hostQueue.js';
import { emptyStatus, statusChanged } from '../../../lab/metal3/hostStatus.js';
import { checkImage, checkRootDeviceHints } from '../../../lab/metal3/provisioningChecks.js';
import { ProvisioningSlots } from '../../../lab/metal3/provisioningSlots.js';
import { TEST_TIMINGS, retryDelay } from '../../../lab/metal3/timings.js';
import type { BareMetalHost } from '../../../lab/metal3/types.js';
import { DGX_H100, hardwareFor } from '../../../lab/fleet/profiles.js';
import { sleep, waitFor } from '../../support/waitFor.js';

const host = (spec: Partial<BareMetalHost['spec']>, status?: BareMetalHost['status']): BareMetalHost =>
  ({ apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost', metadata: { name: 'h', namespace: 'ns' }, spec: { online: true, ...spec }, status });

describe('parseBmcAddress', () => {
  it('reads scheme and host name as BMO does, a bare host or host:port meaning IPMI', () => {
    expect(parseBmcAddress('redfish+http://127.0.0.1:8000/redfish/v1/Systems/abc')).toEqual({ scheme: 'redfish+http', hostname: '127.0.0.1' });
    expect(parseBmcAddress('ipmi://10.0.0.5:623')).toEqual({ scheme: 'ipmi', hostname: '10.0.0.5' });
    expect(parseBmcAddress('idrac-redfish://bmc.lab/redfish/v1/Systems/System.Embedded.1')).toMatchObject({ scheme: 'idrac-redfish' });
    expect(parseBmcAddress('10.0.0.9')).toEqual({ scheme: 'ipmi', hostname: '10.0.0.9' });
    expect(parseBmcAddress('10.0.0.9:623')).toEqual({ scheme: 'ipmi', hostname: '10.0.0.9' });
    expect(parseBmcAddress('ipmi://[fd00::5]:623')).toEqual({ scheme: 'ipmi', hostname: 'fd00::5' });
  });

  it('names a host name that is not a DNS name', () => {
    expect(parseBmcAddress('redfish://bmc_1.lab/redfish/v1')).toEqual({ error: 'failed to parse BMC address information: BMC address hostname/IP : [bmc_1.lab] is invalid' });
  });
});

describe('bmcDriverFor', () => {
  it('knows the drivers BMO registers and names an unknown type', () => {
    expect(bmcDriverFor('redfish-virtualmedia+https://10.0.0.1/redfish/v1/Systems/1')).toMatchObject({ type: 'redfish-virtualmedia+https', supportsRaid: true });
    expect(bmcDriverFor('libvirt://10.0.0.1')).toMatchObject({ type: 'libvirt', needsMac: true });
    expect(bmcDriverFor('ipmi+https://10.0.0.1')).toEqual({ error: "Unknown BMC type 'ipmi+https' for address ipmi+https://10.0.0.1" });
    expect(bmcDriverFor('foo://x')).toEqual({ error: "Unknown BMC type 'foo' for address foo://x" });
  });
});

describe('ProvisioningSlots', () => {
  it('admits up to the limit and wakes waiters first come, first served', () => {
    const woken: string[] = [];
    const slots = new ProvisioningSlots(2, (h) => woken.push(h));
    expect([slots.acquire('a'), slots.acquire('b'), slots.acquire('c'), slots.acquire('d')]).toEqual([true, true, false, false]);
    slots.release('a');
    expect(woken).toEqual(['c']);
    expect(slots.acquire('d')).toBe(false);
    expect(slots.acquire('c')).toBe(true);
    expect(slots.inUse).toBe(2);
    slots.withdraw('d');
    slots.release('b');
    expect(slots.acquire('e')).toBe(true);
  });
});

describe('HostQueue', () => {
  it('keeps the earliest request per host and never runs one host twice at once', async () => {
    const runs: string[] = [];
    // Per host: different hosts may run at once (4 workers); under load 'a' can still be running when 'b' starts.
    const concurrent = new Map<string, number>();
    let maxConcurrent = 0;
    const queue = new HostQueue(async (h) => {
      concurrent.set(h, (concurrent.get(h) ?? 0) + 1);
      maxConcurrent = Math.max(maxConcurrent, concurrent.get(h)!);
      runs.push(h);
      await sleep(20);
      concurrent.set(h, concurrent.get(h)! - 1);
    }, 4);
    queue.enqueue('a', 200);
    queue.enqueue('a', 10);
    queue.enqueue('a', 300);
    expect(queue.pendingTimers).toBe(1);
    await waitFor(() => runs.length === 1, { what: "host a's one run" });
    queue.enqueue('b');
    queue.enqueue('b');
    await sleep(5);
    queue.enqueue('b');
    // b, then once more for the request that came while it ran; nothing else.
    await waitFor(() => runs.filter((r) => r === 'b').length === 2, { what: "host b's two runs" });
    await sleep(60);
    expect(runs).toEqual(['a', 'b', 'b']);
    expect(maxConcurrent).toBe(1);
    queue.enqueue('c', 10_000);
    await queue.stop();
    expect(queue.pendingTimers).toBe(0);
  });
});

describe('provisioning checks', () => {
  it('needs a checksum except for live-iso and flags unknown checksum types', () => {
    expect(checkImage(host({ image: { url: 'http://x/a.qcow2' } }))).toMatch(/spec\.image\.checksum/);
    expect(checkImage(host({ image: { url: 'http://x/a.iso', format: 'live-iso' } }))).toBeUndefined();
    expect(checkImage(host({ image: { url: 'http://x/a', checksum: 'c', checksumType: 'crc32' } }))).toMatch(/Unknown checksumType "crc32"/);
    expect(checkImage(host({ image: { url: 'http://x/a', checksum: 'c', checksumType: 'auto' } }))).toBeUndefined();
  });

  it('matches root device hints against inspected disks', () => {
    const hardware = hardwareFor(DGX_H100, 'h');
    const status = { ...emptyStatus(), hardware };
    expect(checkRootDeviceHints(host({ rootDeviceHints: { deviceName: '/dev/nvme0n1' } }, status))).toBeUndefined();
    expect(checkRootDeviceHints(host({ rootDeviceHints: { model: 'MZQL23T8', minSizeGigabytes: 3000 } }, status))).toBeUndefined();
    expect(checkRootDeviceHints(host({ rootDeviceHints: { rotational: true } }, status))).toMatch(/^No suitable device found for hints/);
  });
});

describe('timings and status helpers', () => {
  it('doubles the retry delay and caps it at 32x', () => {
    expect([1, 2, 3, 6, 20].map((n) => retryDelay(TEST_TIMINGS, n))).toEqual([20, 40, 80, 640, 640]);
  });

  it('compares statuses regardless of key order and lastUpdated', () => {
    const a = { ...emptyStatus(), lastUpdated: '2026-01-01T00:00:00Z' };
    const b = { provisioning: { ID: '', state: '' }, poweredOn: false, provisioningFailCount: 0, errorCount: 0, errorMessage: '', operationalStatus: '' as const };
    expect(statusChanged(a, b)).toBe(false);
    expect(statusChanged(a, { ...b, poweredOn: true })).toBe(true);
  });
});
