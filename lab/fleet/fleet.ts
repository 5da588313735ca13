/**
 * Fleet manifests: BareMetalHosts plus their BMC credential Secrets, as an operator would apply them to the
 * Metal3 namespace. No real BMC is contacted; the simulator only parses the address scheme.
 */
import { randomBytes } from 'node:crypto';
import { stableUuid } from './identity.js';
import {
  CPU_EPYC, DGX_H100, EXTENDED_RESOURCES_ANNOTATION, HARDWARE_PROFILE_ANNOTATION, bootMacFor, profileNamed,
  type HardwareProfile,
} from './profiles.js';

export interface Fleet {
  /** BareMetalHost manifests (metal3.io/v1alpha1). */
  hosts: Record<string, unknown>[];
  /** `<host>-bmc-secret` Secrets with `username` / `password`. */
  secrets: Record<string, unknown>[];
}

export interface FleetOptions {
  /** Namespace of hosts and Secrets. @default 'metal3-system' */
  namespace?: string;
  /** BMC URL prefix; the host's system UUID is appended. @default 'redfish+http://127.0.0.1:8000/redfish/v1/Systems/' */
  bmcBase?: string;
  /** Datacenter label value. @default 'dc1' */
  datacenter?: string;
}

export const DEFAULT_FLEET_NAMESPACE = 'metal3-system';
export const DEFAULT_BMC_BASE = 'redfish+http://127.0.0.1:8000/redfish/v1/Systems/';

interface HostSpec { name: string; profile: HardwareProfile; rack: string }

function bmhManifest(h: HostSpec, namespace: string, bmcBase: string, datacenter: string): Record<string, unknown> {
  const annotations: Record<string, string> = { [HARDWARE_PROFILE_ANNOTATION]: h.profile.name };
  if (Object.keys(h.profile.extendedResources).length > 0) {
    annotations[EXTENDED_RESOURCES_ANNOTATION] = JSON.stringify(h.profile.extendedResources);
  }
  return {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'BareMetalHost',
    metadata: {
      name: h.name,
      namespace,
      labels: { ...h.profile.labels, rack: h.rack, datacenter, 'hardware-profile': h.profile.name },
      annotations,
    },
    spec: {
      online: false,
      description: h.profile.description,
      bmc: {
        address: `${bmcBase}${stableUuid('system', h.name)}`,
        credentialsName: `${h.name}-bmc-secret`,
        disableCertificateVerification: true,
      },
      bootMACAddress: bootMacFor(h.profile, h.name),
      bootMode: 'UEFI',
      automatedCleaningMode: 'metadata',
      rootDeviceHints: { deviceName: h.profile.rootDeviceName },
    },
  };
}

function bmcSecret(host: string, namespace: string): Record<string, unknown> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: `${host}-bmc-secret`, namespace, labels: { 'environment.metal3.io': 'baremetal' } },
    data: { username: b64('admin'), password: b64(randomBytes(12).toString('base64url')) },
  };
}

function build(specs: HostSpec[], opts: FleetOptions): Fleet {
  const namespace = opts.namespace ?? DEFAULT_FLEET_NAMESPACE;
  const bmcBase = opts.bmcBase ?? DEFAULT_BMC_BASE;
  const datacenter = opts.datacenter ?? 'dc1';
  return {
    hosts: specs.map((h) => bmhManifest(h, namespace, bmcBase, datacenter)),
    secrets: specs.map((h) => bmcSecret(h.name, namespace)),
  };
}

/** `count` hosts of `profile`, named `<prefix>-<nn>`, racked from rack number `firstRack`; returns the next free rack. */
function rackHosts(profile: HardwareProfile, prefix: string, count: number, firstRack: number, width: number) {
  // Slots follow the host number (rackSlotFor), so a rack starts at host 1 + k × hostsPerRack.
  const perRack = profile.hostsPerRack;
  const specs: HostSpec[] = [];
  for (let i = 0; i < count; i++) {
    const rack = `r${String(firstRack + Math.floor(i / perRack)).padStart(2, '0')}`;
    specs.push({ name: `${prefix}-${String(i + 1).padStart(width, '0')}`, profile, rack });
  }
  return { specs, nextRack: firstRack + Math.ceil(count / perRack) };
}

/**
 * The demo fleet: DGX-class 8-GPU servers (`[prefix]gpu-h100-NN`) and EPYC CPU servers (`[prefix]cpu-epyc-NN`),
 * racked from `firstRack` (sites of one fabric use different racks, so their leaf switches differ).
 */
export function defaultFleet(opts: FleetOptions & { gpuHosts?: number; cpuHosts?: number; hostPrefix?: string; firstRack?: number } = {}): Fleet {
  const prefix = opts.hostPrefix ?? '';
  const gpu = rackHosts(DGX_H100, `${prefix}gpu-h100`, opts.gpuHosts ?? 4, opts.firstRack ?? 1, 2);
  const cpu = rackHosts(CPU_EPYC, `${prefix}cpu-epyc`, opts.cpuHosts ?? 4, gpu.nextRack, 2);
  return build([...gpu.specs, ...cpu.specs], opts);
}

/**
 * `n` hosts split across profiles by weight (e.g. `{ 'dgx-h100': 1, 'cpu-epyc': 3 }`), for benchmarks of
 * 1,000–10,000 hosts. Pure computation, no I/O.
 */
export function makeFleet(n: number, profileMix: Record<string, number>, opts: FleetOptions = {}): Fleet {
  if (!Number.isInteger(n) || n < 0) throw new Error(`makeFleet: n must be a non-negative integer, got ${n}`);
  const entries = Object.entries(profileMix).filter(([, w]) => w > 0);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  if (entries.length === 0) throw new Error('makeFleet: profileMix needs at least one profile with weight > 0');
  const width = String(n).length;
  const specs: HostSpec[] = [];
  let assigned = 0;
  let rack = 1;
  entries.forEach(([name, weight], i) => {
    const profile = profileNamed(name);
    if (profile.name !== name) throw new Error(`makeFleet: profileMix names unknown profile "${name}"`);
    const count = i === entries.length - 1 ? n - assigned : Math.round((n * weight) / total);
    assigned += count;
    const r = rackHosts(profile, name, count, rack, width);
    specs.push(...r.specs);
    rack = r.nextRack;
  });
  return build(specs, opts);
}
