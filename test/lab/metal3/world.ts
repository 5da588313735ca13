/**
 * Test world for the Metal3 simulator: the lab API server over HTTP, the real client, one namespace, a watch that
 * records every state each host passes through, and small builders for hosts and Secrets.
 */
import {
  CoreV1Api, CustomObjectsApi, PatchStrategy, Watch, setHeaderOptions, type KubeConfig,
} from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { startMetal3Simulator, type Metal3Simulator, type Metal3SimulatorOptions, type PowerEvent } from '../../../lab/metal3/index.js';
import type { BareMetalHost } from '../../../lab/metal3/types.js';
import { waitFor } from '../../support/waitFor.js';

export const GROUP = { group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface World {
  api: KubeApiServer;
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  namespace: string;
  sim: Metal3Simulator;
  /** Distinct consecutive provisioning states seen by a watch, per host. */
  states: Map<string, string[]>;
  /** operationalStatus values seen, per host. */
  opStatuses: Map<string, string[]>;
  /** `<state>/<operationalStatus>` pairs seen, per host. */
  phases: Map<string, string[]>;
  power: PowerEvent[];
  close(): Promise<void>;
}

export async function startWorld(namespace: string, simOpts: Partial<Metal3SimulatorOptions> = {}): Promise<World> {
  const api = await startKubeApi({ port: 0 });
  const kc = api.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const states = new Map<string, string[]>();
  const opStatuses = new Map<string, string[]>();
  const phases = new Map<string, string[]>();
  const record = (map: Map<string, string[]>, name: string, value: string | undefined) => {
    if (value === undefined) return;
    const seen = map.get(name) ?? [];
    if (seen[seen.length - 1] !== value) seen.push(value);
    map.set(name, seen);
  };
  const watch = await new Watch(kc).watch(`/apis/metal3.io/v1alpha1/namespaces/${namespace}/baremetalhosts`, {},
    (_type, obj: BareMetalHost) => {
      record(states, obj.metadata.name, obj.status?.provisioning?.state);
      record(opStatuses, obj.metadata.name, obj.status?.operationalStatus);
      if (obj.status) record(phases, obj.metadata.name, `${obj.status.provisioning?.state}/${obj.status.operationalStatus}`);
    }, () => undefined);
  const power: PowerEvent[] = [];
  const sim = await startMetal3Simulator({
    kubeConfig: kc, namespace, onPowerChange: (e) => power.push(e), ...simOpts,
  });
  return {
    api, kc, core, custom, namespace, sim, states, opStatuses, phases, power,
    async close() {
      await sim.stop();
      watch.abort();
      await api.close();
    },
  };
}

export async function createBmcSecret(w: World, host: string, data: Record<string, string> = { username: 'admin', password: 'pw-123' }) {
  await w.core.createNamespacedSecret({
    namespace: w.namespace,
    body: {
      metadata: { name: `${host}-bmc-secret` },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    },
  });
}

export async function createSecret(w: World, name: string, data: Record<string, string>) {
  await w.core.createNamespacedSecret({
    namespace: w.namespace,
    body: {
      metadata: { name },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    },
  });
}

/** A BMH with a redfish BMC and credentials Secret (unless `withSecret: false`). */
export async function createHost(
  w: World, name: string,
  opts: { spec?: Record<string, unknown>; annotations?: Record<string, string>; withSecret?: boolean } = {},
): Promise<void> {
  if (opts.withSecret !== false) await createBmcSecret(w, name);
  await w.custom.createNamespacedCustomObject({
    ...GROUP, namespace: w.namespace,
    body: {
      apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost',
      metadata: { name, annotations: { 'lab.metal3.io/hardware-profile': 'cpu-epyc', ...opts.annotations } },
      spec: {
        online: false,
        automatedCleaningMode: 'metadata',
        bmc: { address: `redfish+http://127.0.0.1:8000/redfish/v1/Systems/${name}`, credentialsName: `${name}-bmc-secret` },
        ...opts.spec,
      },
    },
  });
}

export async function getHost(w: World, name: string): Promise<BareMetalHost> {
  return w.custom.getNamespacedCustomObject({ ...GROUP, namespace: w.namespace, name });
}

export async function patchHost(w: World, name: string, body: Record<string, unknown>): Promise<void> {
  await w.custom.patchNamespacedCustomObject({ ...GROUP, namespace: w.namespace, name, body }, MERGE);
}

/** Polls the API (not the simulator) until `check` passes; fails with the last seen host. */
export async function waitForHost(
  w: World, name: string, check: (h: BareMetalHost) => boolean, timeoutMs = 10_000,
): Promise<BareMetalHost> {
  let last: BareMetalHost | undefined;
  return waitFor(async () => {
    last = await getHost(w, name).catch((e: unknown) => {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    });
    return last && check(last) && last;
  }, { what: `BareMetalHost ${name} (last seen: ${JSON.stringify(last?.status)})`, timeoutMs, everyMs: 15 });
}

export async function waitForGone(w: World, name: string, timeoutMs = 10_000): Promise<void> {
  await waitFor(() => getHost(w, name).then(() => false, (e: unknown) => {
    if ((e as { code?: number }).code === 404) return true;
    throw e;
  }), { what: `BareMetalHost ${name} to be gone`, timeoutMs, everyMs: 15 });
}

export const state = (h: BareMetalHost) => h.status?.provisioning?.state;
