import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyFleet, defaultFleet, hardwareFor, makeFleet, profileNamed } from '../../../lab/fleet/index.js';
import type { BareMetalHost } from '../../../lab/metal3/types.js';
import { GROUP, getHost, state, startWorld, waitForHost, type World } from './world.js';

describe('lab fleet', () => {
  it('describes DGX and EPYC hosts with the labels, annotations and BMC data the reference recommends', () => {
    const fleet = defaultFleet({ gpuHosts: 2, cpuHosts: 3, namespace: 'ns1' });
    expect(fleet.hosts).toHaveLength(5);
    expect(fleet.secrets).toHaveLength(5);
    const gpu = fleet.hosts[0] as unknown as BareMetalHost;
    expect(gpu.metadata.name).toBe('gpu-h100-01');
    expect(gpu.metadata.labels).toMatchObject({
      'gpu-model': 'h100', 'gpu-count': '8', rack: 'r01', datacenter: 'dc1', 'hardware-profile': 'dgx-h100',
    });
    expect(gpu.metadata.annotations).toMatchObject({
      'lab.metal3.io/hardware-profile': 'dgx-h100',
      'metal3.vcluster.com/extended-resources': '{"nvidia.com/gpu":"8"}',
    });
    expect(gpu.spec.bmc?.address).toMatch(/^redfish\+http:\/\/127\.0\.0\.1:8000\/redfish\/v1\/Systems\/[0-9a-f-]{36}$/);
    expect(gpu.spec.bmc?.credentialsName).toBe('gpu-h100-01-bmc-secret');
    expect(gpu.spec).toMatchObject({ online: false, automatedCleaningMode: 'metadata' });
    const cpu = fleet.hosts[2] as unknown as BareMetalHost;
    expect(cpu.metadata.labels).toMatchObject({ 'gpu-model': 'none', 'gpu-count': '0' });
    expect(cpu.metadata.annotations?.['metal3.vcluster.com/extended-resources']).toBeUndefined();
    expect((fleet.secrets[0] as { data: Record<string, string> }).data).toHaveProperty('password');
  });

  it('makes 10,000 hosts split by weight with unique boot MACs', () => {
    const fleet = makeFleet(10_000, { 'dgx-h100': 1, 'cpu-epyc': 3 });
    const hosts = fleet.hosts as unknown as BareMetalHost[];
    expect(hosts).toHaveLength(10_000);
    expect(hosts.filter((h) => h.metadata.labels?.['hardware-profile'] === 'dgx-h100')).toHaveLength(2500);
    expect(new Set(hosts.map((h) => h.spec.bootMACAddress)).size).toBe(10_000);
    expect(new Set(hosts.map((h) => h.metadata.name)).size).toBe(10_000);
    expect(() => makeFleet(3, { 'tpu-v5': 1 })).toThrow(/unknown profile "tpu-v5"/);
  });

  /** Every LLDP-cabled NIC of the fleet as `<switchID> <portID>`, from what inspection reports. */
  const cabledPorts = (hosts: BareMetalHost[]) => hosts.flatMap((h) => {
    const profile = profileNamed(h.metadata.annotations?.['lab.metal3.io/hardware-profile']);
    const hw = hardwareFor(profile, h.metadata.name, { rack: h.metadata.labels?.rack, bootMACAddress: h.spec.bootMACAddress });
    return hw.nics.filter((n) => n.lldp).map((n) => `${n.lldp!.switchID} ${n.lldp!.portID}`);
  });

  it('cables no two NICs of a 10,000-host fleet to the same switch port', () => {
    for (const mix of [{ 'dgx-h100': 1, 'cpu-epyc': 3 }, { 'cpu-epyc': 3, 'dgx-h100': 1 }]) {
      const hosts = makeFleet(10_000, mix).hosts as unknown as BareMetalHost[];
      const ports = cabledPorts(hosts);
      expect(ports).toHaveLength(20_000); // two LLDP NICs per DGX and per EPYC server
      expect(new Set(ports).size).toBe(ports.length);
    }
  });

  it('puts the hosts of a rack on consecutive ports of its two leaves (the case that used to collide)', () => {
    const hosts = makeFleet(40, { 'cpu-epyc': 3, 'dgx-h100': 1 }).hosts as unknown as BareMetalHost[];
    const ports = cabledPorts(hosts);
    expect(new Set(ports).size).toBe(ports.length);
    const epyc = (name: string) => hardwareFor(profileNamed('cpu-epyc'), name, { rack: 'r01' }).nics.map((n) => [n.lldp?.switchSystemName, n.lldp?.portID]);
    expect(epyc('cpu-epyc-04')).toEqual([['leaf-r01-a', 'swp4'], ['leaf-r01-b', 'swp4']]);
    expect(epyc('cpu-epyc-11')).toEqual([['leaf-r01-a', 'swp11'], ['leaf-r01-b', 'swp11']]);
    expect(epyc('cpu-epyc-17')[0]).toEqual(['leaf-r01-a', 'swp1']); // first host of the next rack
  });
});

describe('lab fleet against the API and the simulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld('metal3-fleet');
  });
  afterAll(async () => {
    await w.close();
  });

  it('passes the CRD schema as created, is idempotent to apply, and inspects with the advertised hardware', async () => {
    const fleet = defaultFleet({ namespace: w.namespace, gpuHosts: 2, cpuHosts: 2 });
    expect(await applyFleet(w.kc, fleet)).toEqual({ created: 8, existing: 0 });
    expect(await applyFleet(w.kc, fleet)).toEqual({ created: 0, existing: 8 });
    for (const manifest of fleet.hosts as unknown as BareMetalHost[]) {
      const stored = await getHost(w, manifest.metadata.name);
      // Nothing was pruned or rejected by the schema.
      expect(stored.spec).toEqual({ ...manifest.spec, bootMode: 'UEFI' });
      expect(stored.metadata.labels).toEqual(manifest.metadata.labels);
    }
    const gpu = await waitForHost(w, 'gpu-h100-01', (h) => state(h) === 'available');
    const hw = gpu.status!.hardware!;
    expect(hw.cpu).toMatchObject({ count: 224, model: 'Intel(R) Xeon(R) Platinum 8480C' });
    expect(hw.ramMebibytes).toBe(2_097_152);
    expect(hw.nics.filter((n) => n.speedGbps === 400)).toHaveLength(8);
    const pxe = hw.nics.find((n) => n.pxe)!;
    expect(pxe.mac).toBe(gpu.spec.bootMACAddress);
    expect(pxe.lldp).toMatchObject({ switchSystemName: 'leaf-r01-a' });
    expect(hw.storage.every((d) => d.type === 'NVME')).toBe(true);
    const cpu = await waitForHost(w, 'cpu-epyc-01', (h) => state(h) === 'available');
    expect(cpu.status?.hardware?.cpu.count).toBe(384);
    expect(cpu.status?.hardware?.ramMebibytes).toBe(786_432);
    const list = await w.custom.listNamespacedCustomObject({ ...GROUP, namespace: w.namespace, labelSelector: 'gpu-model=h100' });
    expect(list.items).toHaveLength(2);
  });
});
