/**
 * A standalone machine on the lab world with the real plugin and servers: a NodeClaim without
 * vClusterRef gets a host with its OS image and user data that joins no cluster, boots, is Available,
 * and goes back to the pool cleaned when deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, type CustomObjectsApi } from '@kubernetes/client-node';
import type { World } from '../../lab/world.js';
import { startE2eWorld, type E2eWorld } from './labWorld.js';
import { waitFor } from '../support/waitFor.js';

const PATIENTLY = { timeoutMs: 90_000, everyMs: 200 };
const LOFT = { group: 'management.loft.sh', version: 'v1' };
const BMH = { group: 'metal3.io', version: 'v1alpha1', namespace: 'metal3-system', plural: 'baremetalhosts' };
const PROJECT = 'p-ops';

type Host = { metadata: { name: string; labels?: Record<string, string> }; spec?: { consumerRef?: unknown; image?: { url?: string }; userData?: { name: string; namespace?: string } }; status?: { provisioning?: { state?: string } } };
type Claim = { metadata: { name: string; uid: string }; status?: { phase?: string } };

describe('a standalone machine on the lab world', () => {
  let lab: E2eWorld;
  let world: World;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  beforeAll(async () => {
    lab = await startE2eWorld(PROJECT, {}, 'standalone-');
    ({ world, custom } = lab);
    core = world.kubeConfig.makeApiClient(CoreV1Api);
  }, 60_000);

  afterAll(async () => {
    await lab?.stop();
  });

  const hostOf = async (claimUid: string) => ((await custom.listNamespacedCustomObject({ ...BMH, labelSelector: `metal3.vcluster.com/node-claim=${claimUid}` })) as { items: Host[] }).items[0];
  const readClaim = () => custom.getNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims', name: 'operator-box' }).then((c) => c as Claim, () => undefined);

  it('provisions the OS with user data that joins no cluster, turns Available, and is released cleaned', async () => {
    await waitFor(async () => ((await custom.listNamespacedCustomObject(BMH)) as { items: Host[] }).items.filter((h) => h.status?.provisioning?.state === 'available').length === 8,
      { what: 'the fleet available', ...PATIENTLY });
    const created = (await custom.createNamespacedCustomObject({
      ...LOFT, namespace: PROJECT, plural: 'nodeclaims',
      body: { apiVersion: 'management.loft.sh/v1', kind: 'NodeClaim', metadata: { name: 'operator-box' }, spec: { providerRef: 'metal3-provider', typeRef: 'metal3-provider.cpu' } },
    })) as Claim;
    await waitFor(async () => (await readClaim())?.status?.phase === 'Available', { what: 'claim Available', ...PATIENTLY });
    const host = await hostOf(created.metadata.uid);
    expect(host?.spec?.consumerRef).toBeDefined();
    expect(host?.spec?.image?.url).toMatch(/^https?:\/\//);
    const secret = await core.readNamespacedSecret({ name: host!.spec!.userData!.name, namespace: host!.spec!.userData!.namespace ?? 'metal3-system' });
    const userData = Buffer.from(secret.data!.userData!, 'base64').toString();
    expect(userData.startsWith('#cloud-config')).toBe(true);
    expect(userData).not.toContain('vcluster-join');
    expect(userData).not.toContain('node/join');
    // The server booted that user data (real cloud-init where installed) and runs, with no tenant to join.
    await waitFor(() => world.farm.servers().find((s) => s.host === host!.metadata.name && s.phase === 'Running'), { what: 'server running', ...PATIENTLY });
    // cloud-init itself found nothing wrong with the plugin's user data or the image's configuration.
    if (world.farm.runner.kind === 'cloud-init') expect(world.farm.consoleLog(host!.metadata.name)).not.toContain('Invalid cloud-config');

    await custom.deleteNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims', name: 'operator-box' });
    await waitFor(async () => (await readClaim()) === undefined, { what: 'claim released and gone', ...PATIENTLY });
    const back = (await custom.getNamespacedCustomObject({ ...BMH, name: host!.metadata.name })) as Host;
    expect(back.status?.provisioning?.state).toBe('available');
    expect(back.spec?.consumerRef).toBeUndefined();
  }, 240_000);
});
