/**
 * The world a bench scenario runs against: the lab Kubernetes API in this process, a fleet of
 * `available` BareMetalHosts (status written through the /status subresource, no Metal3 simulator:
 * registering and inspecting 10,000 hosts through the simulator is not what is measured here),
 * the OSImage and SSHKey the provider config names, and the tenant project namespaces.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer, type KubeObject } from '../../lab/kube/index.js';
import { applyFleet, hardwareFor, makeFleet, profileNamed } from '../../lab/fleet/index.js';
import { FLEET_MIX, HOST_NAMESPACE, OS_IMAGE, SSH_KEY, TENANTS } from './scenario.js';

const BMH = { group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts' };
const LOFT = { group: 'management.loft.sh', version: 'v1' };
const SETUP_CONCURRENCY = 32;

export interface BenchWorld {
  api: KubeApiServer;
  kc: KubeConfig;
  namespace: string;
  hostCount: number;
  setupMs: number;
  close(): Promise<void>;
}

/**
 * `datacenter`: the hosts' datacenter label (a site's name in the multi-site bench). `seed`: how the fleet
 * gets in: `api` (default) one create and one status patch per host through HTTP, `store` straight into
 * the lab API's store (same validation and admission, no HTTP: the multi-site bench's 3 × 10,000 hosts).
 */
export async function startWorld(opts: { hosts: number; latencyMs: number; datacenter?: string; seed?: 'api' | 'store' }): Promise<BenchWorld> {
  const started = performance.now();
  const api = await startKubeApi({ name: 'bench', faults: {} });
  const kc = api.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const close = () => api.close();
  try {
    for (const name of [HOST_NAMESPACE, ...tenantNamespaces()]) await core.createNamespace({ body: { metadata: { name } } });
    await seedPlatformObjects(custom);
    const fleet = makeFleet(opts.hosts, FLEET_MIX, { namespace: HOST_NAMESPACE, datacenter: opts.datacenter });
    if (opts.seed === 'store') {
      api.seed([...fleet.secrets, ...fleet.hosts.map((host) => ({ ...host, status: availableStatus(host) }))] as KubeObject[]);
    } else {
      await applyFleet(kc, fleet, { concurrency: SETUP_CONCURRENCY });
      await inPool(fleet.hosts, SETUP_CONCURRENCY, (host) => markAvailable(custom, host));
    }
    api.faults.set({ latencyMs: opts.latencyMs });
    return { api, kc, namespace: HOST_NAMESPACE, hostCount: opts.hosts, setupMs: performance.now() - started, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export function tenantNamespaces(): string[] {
  return Array.from({ length: TENANTS }, (_, i) => `p-tenant-${i + 1}`);
}

/** What registration + inspection would leave behind: state available, operationalStatus OK, hardware details. */
function availableStatus(host: Record<string, unknown>): Record<string, unknown> {
  const metadata = host.metadata as { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  const spec = host.spec as { bootMACAddress: string };
  const profile = profileNamed(metadata.annotations['lab.metal3.io/hardware-profile']);
  return {
    operationalStatus: 'OK',
    errorMessage: '',
    errorCount: 0,
    poweredOn: false,
    provisioning: { state: 'available', ID: `ironic-${metadata.name}` },
    hardware: hardwareFor(profile, metadata.name, { rack: metadata.labels.rack, bootMACAddress: spec.bootMACAddress }),
  };
}

function markAvailable(custom: CustomObjectsApi, host: Record<string, unknown>): Promise<unknown> {
  const metadata = host.metadata as { name: string; namespace: string };
  return custom.patchNamespacedCustomObjectStatus(
    { ...BMH, namespace: metadata.namespace, name: metadata.name, body: { status: availableStatus(host) } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

async function seedPlatformObjects(custom: CustomObjectsApi): Promise<void> {
  await custom.createClusterCustomObject({
    ...LOFT,
    plural: 'osimages',
    body: { apiVersion: 'management.loft.sh/v1', kind: 'OSImage', metadata: { name: OS_IMAGE.name }, spec: { properties: OS_IMAGE.properties } },
  });
  await custom.createClusterCustomObject({
    ...LOFT,
    plural: 'sshkeys',
    body: { apiVersion: 'management.loft.sh/v1', kind: 'SSHKey', metadata: { name: SSH_KEY.name }, spec: { publicKey: SSH_KEY.publicKey } },
  });
}

export async function inPool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

