/**
 * Hardware profiles of the lab fleet and the inspection data the Metal3 simulator reports for them.
 *
 * Two inputs are lab conventions rather than Metal3 API:
 * - `lab.metal3.io/hardware-profile: <profile>` on a BareMetalHost tells the simulator which hardware to "find"
 *   during inspection (a real BMO asks Ironic's agent). Hosts without it inspect as `generic`.
 * - `metal3.vcluster.com/extended-resources: '{"nvidia.com/gpu":"8"}'` describes extended resources. BMO's
 *   HardwareDetails has cpu, ramMebibytes, nics and storage but no GPU field (inspection would only list PCI
 *   devices), so a provider matching `resources: {nvidia.com/gpu: "8"}` reads this annotation.
 */
import type { HardwareDetails, Nic, Storage } from '../metal3/types.js';
import { stableIndex, stableMac, stableSerial } from './identity.js';

export const HARDWARE_PROFILE_ANNOTATION = 'lab.metal3.io/hardware-profile';
export const EXTENDED_RESOURCES_ANNOTATION = 'metal3.vcluster.com/extended-resources';

interface NicTemplate { name: string; model: string; speedGbps: number; pxe: boolean; pciAddress: string; lldp: boolean }
type StorageTemplate = Omit<Storage, 'serialNumber' | 'wwn'> & { serialPrefix: string };

export interface HardwareProfile {
  name: string;
  description: string;
  /** BareMetalHost labels that selectors use (gpu-model, gpu-count, node-role). */
  labels: Record<string, string>;
  /** Hosts per rack (a DGX H100 draws ~10 kW, so four); each takes one slot, cabled to port `swp<slot + 1>` of both leaves. */
  hostsPerRack: number;
  /** Written to the extended-resources annotation when non-empty. */
  extendedResources: Record<string, string>;
  rootDeviceName: string;
  systemVendor: { manufacturer: string; productName: string; serialPrefix: string };
  bios: { date: string; vendor: string; version: string };
  ramMebibytes: number;
  cpu: HardwareDetails['cpu'];
  nics: NicTemplate[];
  storage: StorageTemplate[];
}

const X86_FLAGS = ['avx2', 'avx512f', 'aes', 'sse4_2', 'vmx', 'svm', 'pdpe1gb'];
const TB192 = 1_920_383_410_176;
const TB384 = 3_840_755_982_336;

const nvme = (i: number, model: string, sizeBytes: number, serialPrefix: string): StorageTemplate => ({
  name: `/dev/nvme${i}n1`, alternateNames: [`/dev/disk/by-path/pci-0000:${(0x10 + i).toString(16)}:00.0-nvme-1`],
  rotational: false, type: 'NVME', sizeBytes, vendor: model.split(' ')[0], model, serialPrefix,
});

const DGX_IB_NAMES = ['ibp24s0', 'ibp64s0', 'ibp79s0', 'ibp94s0', 'ibp154s0', 'ibp192s0', 'ibp206s0', 'ibp220s0'];

export const DGX_H100: HardwareProfile = {
  name: 'dgx-h100',
  description: 'NVIDIA DGX H100: 8x H100 80GB SXM, 2x Xeon Platinum 8480C, 2 TiB, 8x ConnectX-7 400G InfiniBand',
  labels: { 'gpu-model': 'h100', 'gpu-count': '8', 'node-role': 'gpu-worker' },
  hostsPerRack: 4,
  extendedResources: { 'nvidia.com/gpu': '8' },
  rootDeviceName: '/dev/nvme0n1',
  systemVendor: { manufacturer: 'NVIDIA', productName: 'DGXH100', serialPrefix: '1660' },
  bios: { date: '03/12/2024', vendor: 'American Megatrends International, LLC.', version: '1.5.1' },
  ramMebibytes: 2_097_152,
  cpu: { arch: 'x86_64', model: 'Intel(R) Xeon(R) Platinum 8480C', clockMegahertz: 2000, flags: X86_FLAGS, count: 224 },
  nics: [
    ...DGX_IB_NAMES.map((name) => ({
      name, model: 'Mellanox Technologies MT2910 Family [ConnectX-7]', speedGbps: 400, pxe: false,
      pciAddress: `0000:${name.slice(3, -2).padStart(2, '0')}:00.0`, lldp: false,
    })),
    { name: 'enp170s0f0np0', model: 'Mellanox Technologies MT2892 Family [ConnectX-6 Dx]', speedGbps: 100, pxe: true,
      pciAddress: '0000:aa:00.0', lldp: true },
    { name: 'enp170s0f1np1', model: 'Mellanox Technologies MT2892 Family [ConnectX-6 Dx]', speedGbps: 100, pxe: false,
      pciAddress: '0000:aa:00.1', lldp: true },
  ],
  storage: [
    nvme(0, 'SAMSUNG MZ1L21T9HCLS-00A07', TB192, 'S6UBNA0'),
    nvme(1, 'SAMSUNG MZ1L21T9HCLS-00A07', TB192, 'S6UBNA0'),
    ...[2, 3, 4, 5, 6, 7, 8, 9].map((i) => nvme(i, 'SAMSUNG MZQL23T8HCLS-00A07', TB384, 'S64HNE0')),
  ],
};

export const CPU_EPYC: HardwareProfile = {
  name: 'cpu-epyc',
  description: 'Dell PowerEdge R7625: 2x AMD EPYC 9654 (192 cores / 384 threads), 768 GiB, 2x 25GbE',
  labels: { 'gpu-model': 'none', 'gpu-count': '0', 'node-role': 'cpu-worker' },
  hostsPerRack: 16,
  extendedResources: {},
  rootDeviceName: '/dev/nvme0n1',
  systemVendor: { manufacturer: 'Dell Inc.', productName: 'PowerEdge R7625', serialPrefix: '' },
  bios: { date: '01/18/2024', vendor: 'Dell Inc.', version: '1.8.3' },
  ramMebibytes: 786_432,
  cpu: { arch: 'x86_64', model: 'AMD EPYC 9654 96-Core Processor', clockMegahertz: 2400, flags: X86_FLAGS, count: 384 },
  nics: [
    { name: 'eno12399np0', model: 'Broadcom Inc. BCM57414 NetXtreme-E 10Gb/25Gb', speedGbps: 25, pxe: true,
      pciAddress: '0000:c1:00.0', lldp: true },
    { name: 'eno12409np1', model: 'Broadcom Inc. BCM57414 NetXtreme-E 10Gb/25Gb', speedGbps: 25, pxe: false,
      pciAddress: '0000:c1:00.1', lldp: true },
  ],
  storage: [
    nvme(0, 'Dell Ent NVMe v2 AGN RI U.2 1.92TB', TB192, 'S6CRNA0'),
    nvme(1, 'Dell Ent NVMe v2 AGN RI U.2 1.92TB', TB192, 'S6CRNA0'),
  ],
};

/** What a host without a profile annotation inspects as: a small VM, like BMO's fixture provisioner reports. */
export const GENERIC: HardwareProfile = {
  name: 'generic',
  description: 'Small virtual machine (QEMU), 4 vCPUs, 8 GiB',
  labels: { 'gpu-model': 'none', 'gpu-count': '0', 'node-role': 'worker' },
  hostsPerRack: 16,
  extendedResources: {},
  rootDeviceName: '/dev/vda',
  systemVendor: { manufacturer: 'QEMU', productName: 'Standard PC (Q35 + ICH9, 2009)', serialPrefix: '' },
  bios: { date: '04/01/2014', vendor: 'SeaBIOS', version: '1.16.2' },
  ramMebibytes: 8192,
  cpu: { arch: 'x86_64', model: 'QEMU Virtual CPU version 2.5+', clockMegahertz: 3000, flags: X86_FLAGS, count: 4 },
  nics: [{ name: 'enp1s0', model: 'Red Hat, Inc. Virtio network device', speedGbps: 10, pxe: true,
    pciAddress: '0000:01:00.0', lldp: false }],
  storage: [{ name: '/dev/vda', rotational: false, type: 'SSD', sizeBytes: 107_374_182_400, vendor: '0x1af4',
    model: 'QEMU HARDDISK', serialPrefix: 'QM' }],
};

export const HARDWARE_PROFILES: Readonly<Record<string, HardwareProfile>> = {
  [DGX_H100.name]: DGX_H100,
  [CPU_EPYC.name]: CPU_EPYC,
  [GENERIC.name]: GENERIC,
};

/** The profile named `name`, or `generic` when the name is unknown or missing. */
export function profileNamed(name: string | undefined): HardwareProfile {
  return (name && HARDWARE_PROFILES[name]) || GENERIC;
}

/** MAC of the profile's first PXE NIC on `host`: the host's spec.bootMACAddress. */
export function bootMacFor(profile: HardwareProfile, host: string): string {
  const index = Math.max(0, profile.nics.findIndex((n) => n.pxe));
  return stableMac(host, index);
}

/** Switch ports per leaf: the highest slot a rack can have. */
const LEAF_PORTS = 48;

/**
 * The host's slot in its rack. Fleet hosts are named `<prefix>-<n>` and racked in order, `hostsPerRack` to a
 * rack, so host n sits in slot (n - 1) mod hostsPerRack: no two hosts of a rack share a slot (or a switch
 * port). A hand-written name without a number gets a hashed slot, which may collide with another's.
 */
export function rackSlotFor(profile: HardwareProfile, host: string): number {
  const n = /-(\d+)$/.exec(host)?.[1];
  if (n === undefined || Number(n) < 1) return stableIndex(LEAF_PORTS, host);
  return (Number(n) - 1) % Math.min(profile.hostsPerRack, LEAF_PORTS);
}

/**
 * HardwareDetails as inspection would report them for `host`. `rack` names the top-of-rack switches (leaf
 * `a` for the PXE NIC, `b` for the other cabled NIC) in LLDP data; the port on each is the host's rack slot.
 * `bootMACAddress`, when given, becomes the PXE NIC's MAC (a hand-written host may pick its own).
 */
export function hardwareFor(
  profile: HardwareProfile, host: string, opts: { rack?: string; bootMACAddress?: string } = {},
): HardwareDetails {
  const rack = opts.rack ?? 'r00';
  const port = `swp${1 + rackSlotFor(profile, host)}`;
  const pxeIndex = profile.nics.findIndex((n) => n.pxe);
  const nics: Nic[] = profile.nics.map((t, i) => {
    const nic: Nic = {
      name: t.name, model: t.model, mac: stableMac(host, i), speedGbps: t.speedGbps, pxe: t.pxe,
      pciAddress: t.pciAddress, vlanId: 0,
    };
    if (i === pxeIndex && opts.bootMACAddress) nic.mac = opts.bootMACAddress.toLowerCase();
    if (t.lldp) {
      const side = i === pxeIndex ? 'a' : 'b';
      nic.lldp = {
        switchSystemName: `leaf-${rack}-${side}`,
        switchID: stableMac(`leaf-${rack}-${side}`, 0),
        portID: port,
      };
    }
    return nic;
  });
  const storage: Storage[] = profile.storage.map(({ serialPrefix, ...disk }) => ({
    ...disk,
    serialNumber: stableSerial(serialPrefix, 14, host, disk.name),
    wwn: `0x${stableSerial('', 16, 'wwn', host, disk.name).toLowerCase().replace(/[^0-9a-f]/g, '0')}`,
  }));
  return {
    systemVendor: {
      manufacturer: profile.systemVendor.manufacturer,
      productName: profile.systemVendor.productName,
      serialNumber: stableSerial(profile.systemVendor.serialPrefix, profile.systemVendor.serialPrefix ? 13 : 7, host),
    },
    firmware: { bios: { ...profile.bios } },
    ramMebibytes: profile.ramMebibytes,
    nics,
    storage,
    cpu: { ...profile.cpu, flags: [...profile.cpu.flags] },
    hostname: host,
  };
}
