/**
 * Starts the lab pieces a provider test needs: the Kubernetes API emulator (with the CRDs from
 * lab/crds), a namespace for BareMetalHosts, and optionally the Metal3 simulator. Without the
 * simulator, tests drive BMH status themselves through the `/status` subresource (setHostState).
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../lab/kube/index.js';
import type { BareMetalHost, BareMetalHostStatus } from '../../providers/metal3/types.js';

const BMH = { group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts' };
const LOFT = { group: 'management.loft.sh', version: 'v1' };

export interface HostOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  cpu?: number;
  ramMebibytes?: number;
  /** `status.provisioning.state` to set right after creation; default `available`. Empty string: leave status unset. */
  state?: string;
  nics?: { name: string; mac: string }[];
  automatedCleaningMode?: 'metadata' | 'disabled';
}

export interface TestLabOptions {
  namespace?: string;
  /** Start lab/metal3's simulator (BMO state machine) instead of driving status by hand. */
  simulator?: boolean;
  hosts?: { names: string[]; options?: HostOptions };
}

export interface TestLab {
  api: KubeApiServer;
  kc: KubeConfig;
  namespace: string;
  custom: CustomObjectsApi;
  core: CoreV1Api;
  createHost(name: string, opts?: HostOptions): Promise<BareMetalHost>;
  getHost(name: string): Promise<BareMetalHost>;
  /** Writes `status` through the status subresource: provisioning state plus any extra status fields. */
  setHostState(name: string, state: string, extra?: Partial<BareMetalHostStatus>): Promise<BareMetalHost>;
  /** Merge-patches metadata/spec of a host (as an operator would). */
  patchHost(name: string, patch: object): Promise<BareMetalHost>;
  deleteHost(name: string): Promise<void>;
  createOsImage(name: string, properties: Record<string, string>): Promise<void>;
  createSshKey(name: string, publicKey: string): Promise<void>;
  createNodeEnvironment(namespace: string, name: string, properties: Record<string, string>): Promise<void>;
  ensureNamespace(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTestLab(opts: TestLabOptions = {}): Promise<TestLab> {
  const api = await startKubeApi({ name: 'provider-test' });
  const kc = api.kubeConfig();
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = opts.namespace ?? 'metal3-system';
  const stoppers: (() => Promise<void>)[] = [];

  const ensureNamespace = async (name: string) => {
    try {
      await core.createNamespace({ body: { metadata: { name } } });
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  };
  await ensureNamespace(namespace);

  const getHost = async (name: string) =>
    (await custom.getNamespacedCustomObject({ ...BMH, namespace, name })) as BareMetalHost;

  const setHostState = async (name: string, state: string, extra: Partial<BareMetalHostStatus> = {}) => {
    const host = await getHost(name);
    const status: BareMetalHostStatus = {
      operationalStatus: 'OK',
      errorMessage: '',
      errorCount: 0,
      poweredOn: false,
      ...host.status,
      ...extra,
      provisioning: { ID: host.status?.provisioning?.ID || `ironic-${name}`, ...host.status?.provisioning, ...extra.provisioning, state },
    };
    if (extra.errorType === undefined && 'errorType' in extra) delete status.errorType;
    return (await custom.replaceNamespacedCustomObjectStatus({ ...BMH, namespace, name, body: { ...host, status } })) as BareMetalHost;
  };

  const createHost = async (name: string, hostOpts: HostOptions = {}) => {
    const nics = hostOpts.nics ?? [{ name: 'eth0', mac: macFor(name, 0) }, { name: 'eth1', mac: macFor(name, 1) }];
    await custom.createNamespacedCustomObject({
      ...BMH,
      namespace,
      body: {
        apiVersion: 'metal3.io/v1alpha1',
        kind: 'BareMetalHost',
        metadata: { name, namespace, labels: hostOpts.labels, annotations: hostOpts.annotations },
        spec: {
          online: false,
          bootMACAddress: nics[0]?.mac,
          bmc: { address: `redfish+http://127.0.0.1:8000/redfish/v1/Systems/${name}`, credentialsName: `${name}-bmc` },
          ...(hostOpts.automatedCleaningMode ? { automatedCleaningMode: hostOpts.automatedCleaningMode } : {}),
        },
      },
    });
    const state = hostOpts.state ?? 'available';
    if (state === '' || opts.simulator) return getHost(name);
    return setHostState(name, state, {
      hardware: { cpu: { count: hostOpts.cpu ?? 32, arch: 'x86_64' }, ramMebibytes: hostOpts.ramMebibytes ?? 131072, nics },
    });
  };

  if (opts.simulator) {
    // Loaded lazily: only tests that ask for the simulator depend on it.
    const simulatorModule = '../../lab/metal3/index.js';
    const { startMetal3Simulator, TEST_TIMINGS } = await import(simulatorModule);
    const simulator = await startMetal3Simulator({ kubeConfig: kc, namespace, timings: TEST_TIMINGS });
    stoppers.push(() => simulator.stop());
  }
  for (const name of opts.hosts?.names ?? []) await createHost(name, opts.hosts?.options);

  return {
    api,
    kc,
    namespace,
    custom,
    core,
    createHost,
    getHost,
    setHostState,
    async patchHost(name, patch) {
      return (await custom.patchNamespacedCustomObject(
        { ...BMH, namespace, name, body: patch },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as BareMetalHost;
    },
    async deleteHost(name) {
      await custom.deleteNamespacedCustomObject({ ...BMH, namespace, name });
    },
    async createOsImage(name, properties) {
      await custom.createClusterCustomObject({
        ...LOFT,
        plural: 'osimages',
        body: { apiVersion: 'management.loft.sh/v1', kind: 'OSImage', metadata: { name }, spec: { properties } },
      });
    },
    async createSshKey(name, publicKey) {
      await custom.createClusterCustomObject({
        ...LOFT,
        plural: 'sshkeys',
        body: { apiVersion: 'management.loft.sh/v1', kind: 'SSHKey', metadata: { name }, spec: { publicKey } },
      });
    },
    async createNodeEnvironment(ns, name, properties) {
      await ensureNamespace(ns);
      await custom.createNamespacedCustomObject({
        ...LOFT,
        namespace: ns,
        plural: 'nodeenvironments',
        body: { apiVersion: 'management.loft.sh/v1', kind: 'NodeEnvironment', metadata: { name, namespace: ns }, spec: { properties } },
      });
    },
    ensureNamespace,
    async close() {
      for (const stop of stoppers.reverse()) await stop();
      await api.close();
    },
  };
}

function macFor(name: string, index: number): string {
  let hash = index + 7;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const bytes = [0x52, 0x54, 0x00, (hash >>> 16) & 0xff, (hash >>> 8) & 0xff, hash & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

