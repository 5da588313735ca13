/**
 * A NodeClaim's own settings on the lab world with the real plugin and real (simulated) servers: its
 * kubeletArgs and startupTaints reach the join (the kubelet starts with them and registers the Node
 * with the taints); `spec.power.state` powers the host off and on through BMH `online`; the one-shot
 * reboot annotation reboots it through `reboot.metal3.io/<provider>`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { World } from '../../lab/world.js';
import { startE2eWorld, type E2eWorld } from './labWorld.js';
import { waitFor } from '../support/waitFor.js';

const PATIENTLY = { timeoutMs: 60_000, everyMs: 100 };
const LOFT = { group: 'management.loft.sh', version: 'v1' };
const BMH = { group: 'metal3.io', version: 'v1alpha1', namespace: 'metal3-system', plural: 'baremetalhosts' };
const PROJECT = 'p-own';
const TENANT = 'tenant-own';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const STARTUP_TAINT = { key: 'example.com/warming', effect: 'NoSchedule' };

type Claim = { metadata: { name: string; uid: string; annotations?: Record<string, string> }; status?: { phase?: string; power?: { state?: string } } };
type Bmh = { metadata: { name: string; annotations?: Record<string, string> }; spec: { online?: boolean }; status?: { poweredOn?: boolean } };

function claimBody(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'management.loft.sh/v1', kind: 'NodeClaim', metadata: { name },
    spec: { providerRef: 'metal3-provider', typeRef: 'metal3-provider.cpu', vClusterRef: TENANT, ...spec },
  };
}

describe('a NodeClaim’s own settings, end to end on the lab world', () => {
  let lab: E2eWorld;
  let world: World;
  let dir: string;
  let custom: CustomObjectsApi;
  /** The shared world's one joined claim (own-1, with kubeletArgs and startupTaints) and its host. */
  let joined: { claim: string; host: string };

  beforeAll(async () => {
    lab = await startE2eWorld(PROJECT, { netris: false });
    ({ world, dir, custom } = lab);
    await custom.createNamespacedCustomObject({
      ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances',
      body: {
        apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name: TENANT },
        spec: { template: { helmRelease: { values: stringify({ privateNodes: { enabled: true } }) } } },
      },
    });
    await waitFor(() => world.tenants.get(PROJECT, TENANT), { what: `tenant ${TENANT} running`, ...PATIENTLY });
    await custom.createNamespacedCustomObject({
      ...LOFT, namespace: PROJECT, plural: 'nodeclaims',
      body: claimBody('own-1', { startupTaints: [STARTUP_TAINT], kubeletArgs: { 'max-pods': '50' } }),
    });
    const claim = await waitFor(async () => {
      const c = await readClaim('own-1');
      return c.status?.phase === 'Available' && c;
    }, { what: 'NodeClaim own-1 Available', ...PATIENTLY });
    joined = { claim: claim.metadata.name, host: (await hostOf(claim.metadata.uid)).metadata.name };
  }, 180_000);

  afterAll(async () => {
    await lab?.stop();
  });

  const tenantNodes = async (): Promise<V1Node[]> => {
    const tenant = world.tenants.get(PROJECT, TENANT);
    return tenant ? (await tenant.api.kubeConfig().makeApiClient(CoreV1Api).listNode()).items : [];
  };
  const readClaim = async (name: string) => (await custom.getNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims', name })) as Claim;
  const hostOf = async (uid: string) => ((await custom.listNamespacedCustomObject({ ...BMH, labelSelector: `metal3.vcluster.com/node-claim=${uid}` })) as { items: Bmh[] }).items[0];
  const kubeletLog = (host: string) => readFile(join(dir, 'servers', host, 'var/log/kubelet.log'), 'utf8').catch(() => '');


  it('starts the kubelet with the claim’s kubeletArgs, and its startupTaints as --register-with-taints', async () => {
    const { host } = joined;
    const log = await waitFor(async () => {
      const text = await kubeletLog(host);
      return text.includes('starting with flags') && text;
    }, { what: `kubelet log of ${host}`, ...PATIENTLY });
    expect(log).toContain('starting with flags: --register-with-taints=example.com/warming:NoSchedule --max-pods=50');
    expect(await tenantNodes()).toHaveLength(1);
  });

  const powerState = (state: 'On' | 'Off') => async () => {
    await patchClaim({ spec: { power: { state: state === 'On' ? '' : 'Off' } } });
    await waitFor(async () => (await readClaim(joined.claim)).status?.power?.state === state, { what: `claim status.power.state ${state}`, ...PATIENTLY });
  };
  const patchClaim = (body: object) => custom.patchNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims', name: joined.claim, body }, MERGE);
  const readHost = async () => (await custom.getNamespacedCustomObject({ ...BMH, name: joined.host })) as Bmh;
  const server = () => world.farm.servers().find((s) => s.host === joined.host);
  const boots = () => server()?.bootCount ?? 0;

  it('powers the host off through the BareMetalHost’s online and reports status.power Off', async () => {
    await powerState('On')();
    await patchClaim({ spec: { power: { state: 'Off' } } });
    await waitFor(async () => (await readClaim(joined.claim)).status?.power?.state === 'Off', { what: 'claim status.power.state Off', ...PATIENTLY });
    const host = await readHost();
    expect(host.spec.online).toBe(false);
    expect(host.status?.poweredOn).toBe(false);
  });

  it('powers the host on again for an empty state and reports status.power On', async () => {
    await powerState('Off')();
    const whileOff = boots();
    await patchClaim({ spec: { power: { state: '' } } });
    await waitFor(async () => (await readClaim(joined.claim)).status?.power?.state === 'On', { what: 'claim status.power.state On', ...PATIENTLY });
    expect((await readHost()).spec.online).toBe(true);
    await waitFor(() => boots() === whileOff + 1, { what: `${joined.host} booting again`, ...PATIENTLY });
  });

  it('reboots once through reboot.metal3.io and removes the one-shot annotation from the claim', async () => {
    await powerState('On')();
    await waitFor(() => server()?.phase === 'Booting' || server()?.phase === 'Running', { what: `${joined.host} on`, ...PATIENTLY });
    // The power-on's boot may still be running: the reboot must end it and boot once more.
    const before = boots();
    await patchClaim({ metadata: { annotations: { 'machines.vcluster.com/reboot': 'true' } } });
    await waitFor(async () => (await readClaim(joined.claim)).metadata.annotations?.['machines.vcluster.com/reboot'] === undefined,
      { what: 'reboot annotation removed from the claim', ...PATIENTLY });
    await waitFor(() => boots() === before + 1, { what: `${joined.host} booted again`, ...PATIENTLY });
    await waitFor(async () => (await readHost()).metadata.annotations?.['reboot.metal3.io/metal3-provider'] === undefined,
      { what: 'BMO served the reboot request', ...PATIENTLY });
    await waitFor(async () => (await readClaim(joined.claim)).status?.power?.state === 'On', { what: 'claim status.power.state On after the reboot', ...PATIENTLY });
    await waitFor(() => server()?.phase === 'Running', { what: `${joined.host} running after the reboot`, ...PATIENTLY });
    expect(boots()).toBe(before + 1);
  });

  it('refuses a spec.power.state other than On, Off or "", naming the claim and the field', async () => {
    const err = await custom.createNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims', body: claimBody('bad-power', { power: { state: 'Sideways' } }) })
      .then(() => undefined, (e: unknown) => e as { code?: number; body?: unknown });
    expect(err?.code).toBe(422);
    expect(String(err?.body)).toMatch(/bad-power/);
    expect(String(err?.body)).toMatch(/spec\.power\.state/);
  });
});
