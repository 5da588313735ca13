/**
 * OSImages and SSHKeys come from the plugin's watched catalogue (providers/metal3/catalogue.ts), through
 * the lab API over real HTTP: a change or a delete is seen by the next claim, a name created a moment ago
 * is found, a missing one gives the same error naming object and field, and before the first list a
 * claim is told to come back (TransientError with retryAfterMs) instead of failing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { NodeProvider, PluginActivation, ResourceWatch, ResourceWatches } from '../../plugin/contract.js';
import { Catalogue } from '../../providers/metal3/catalogue.js';
import { KubeClient } from '../../providers/metal3/kube.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, IMAGE_CHECKSUM, providerConfig, seedPlatformObjects } from './helpers.js';
import { waitFor } from '../support/waitFor.js';
import { aClaim, JOIN } from '../support/builders.js';
import { expectNothingLeftFor, expectRejectsWith } from '../support/expectations.js';

const LOFT = { group: 'management.loft.sh', version: 'v1' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const NEW_CHECKSUM = 'b'.repeat(64);

describe('the OSImage and SSHKey catalogue', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  let provider: NodeProvider;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    for (const name of ['cpu-01', 'cpu-02', 'cpu-03', 'cpu-04']) await lab.createHost(name, { ...CPU_HOST });
    ({ activation, provider } = await activateConfigured(lab, providerConfig(lab.namespace, {
      properties: { 'vcluster.com/os-image': 'ubuntu-noble', 'vcluster.com/ssh-keys': 'ops' },
    })));
    custom = lab.kc.makeApiClient(CustomObjectsApi);
    await waitFor(async () => (await provider.nodeTypes())[0]?.capacity.total === 4);
  });

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  /** Runs `change` and resolves once a watch of `plural` (opened before it) has delivered the `event` it caused. */
  const changed = async (plural: string, name: string, event: 'MODIFIED' | 'DELETED', change: () => Promise<unknown>) => {
    const seen: string[] = [];
    const watch = await new Watch(lab.kc).watch(`/apis/${LOFT.group}/${LOFT.version}/${plural}`, {},
      (type, obj: KubernetesObject) => obj.metadata?.name === name && seen.push(type), () => undefined);
    try {
      await change();
      await waitFor(() => seen.includes(event), { what: `the watch of ${plural} to deliver ${event} ${name}` });
    } finally {
      watch.abort();
    }
  };
  const imageOf = async (machine: string) => (await lab.getHost(machine)).spec.image;

  it('gives the next claim the OSImage URL and checksum as they are after a change', async () => {
    const first = await provider.createNode(aClaim(), JOIN);
    expect(await imageOf(first.machine!.name)).toMatchObject({ url: 'http://images.lab/ubuntu-noble.qcow2', checksum: IMAGE_CHECKSUM });

    await changed('osimages', 'ubuntu-noble', 'MODIFIED', () => custom.patchClusterCustomObject({
      ...LOFT, plural: 'osimages', name: 'ubuntu-noble',
      body: { spec: { properties: {
        'metal3.vcluster.com/image-url': 'http://images.lab/ubuntu-noble-2.qcow2',
        'metal3.vcluster.com/image-checksum': NEW_CHECKSUM,
        'metal3.vcluster.com/image-checksum-type': 'sha256',
      } } },
    }, MERGE));

    const next = await provider.createNode(aClaim(), JOIN);
    expect(await imageOf(next.machine!.name)).toMatchObject({ url: 'http://images.lab/ubuntu-noble-2.qcow2', checksum: NEW_CHECKSUM, checksumType: 'sha256' });
  });

  it('finds an OSImage created a moment before the claim that names it', async () => {
    await lab.createOsImage('fresh', { 'metal3.vcluster.com/image-url': 'http://images.lab/fresh.qcow2', 'metal3.vcluster.com/image-checksum': IMAGE_CHECKSUM });
    const state = await provider.createNode(aClaim({ properties: { 'vcluster.com/os-image': 'fresh' } }), JOIN);
    expect(await imageOf(state.machine!.name)).toMatchObject({ url: 'http://images.lab/fresh.qcow2' });
  });

  it('refuses a claim naming a deleted OSImage with the error naming the object and field, leaving nothing behind', async () => {
    await lab.createOsImage('doomed', { 'metal3.vcluster.com/image-url': 'http://images.lab/doomed.qcow2', 'metal3.vcluster.com/image-checksum': IMAGE_CHECKSUM });
    await changed('osimages', 'doomed', 'DELETED', () => custom.deleteClusterCustomObject({ ...LOFT, plural: 'osimages', name: 'doomed' }));
    const claim = aClaim({ properties: { 'vcluster.com/os-image': 'doomed' } });
    const err = await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration', {
      object: /^NodeClaim .* spec\.properties$/, field: /^spec\.properties\["vcluster\.com\/os-image"\]$/,
    });
    expect(err.message).toMatch(/OSImage "doomed": not found/);
    await expectNothingLeftFor(lab, claim.uid);
  });

  it('refuses a claim naming a deleted SSHKey with the error naming the object and field, leaving nothing behind', async () => {
    await lab.createSshKey('leaver', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILeaverKey leaver@lab');
    await changed('sshkeys', 'leaver', 'DELETED', () => custom.deleteClusterCustomObject({ ...LOFT, plural: 'sshkeys', name: 'leaver' }));
    const claim = aClaim({ properties: { 'vcluster.com/ssh-keys': 'ops,leaver' } });
    const err = await expectRejectsWith(provider.createNode(claim, JOIN), 'InvalidConfiguration', {
      object: /^NodeClaim .* spec\.properties$/, field: /^spec\.properties\["vcluster\.com\/ssh-keys"\]$/,
    });
    expect(err.message).toMatch(/SSHKey "leaver": not found/);
    await expectNothingLeftFor(lab, claim.uid);
  });

  it('tells a claim to come back (TransientError with retryAfterMs) while the catalogue has not listed yet', async () => {
    // A host whose watches never finish their first list (as while the management cluster does not answer).
    const neverSynced: ResourceWatches = {
      watch: <T extends KubernetesObject>(): ResourceWatch<T> => ({
        synced: () => false, whenSynced: () => new Promise<void>(() => undefined), list: () => [], stop: async () => undefined,
      }),
    };
    const kube = new KubeClient(lab.kc);
    const catalogue = new Catalogue(kube, neverSynced);
    catalogue.start();
    try {
      const err = await expectRejectsWith(catalogue.osImage('ubuntu-noble'), 'Transient');
      expect(err).toMatchObject({ message: expect.stringMatching(/OSImage cache of the management cluster has not synced yet/), retryAfterMs: 1000 });
    } finally {
      await catalogue.stop();
      kube.dispose();
    }
  }, 20_000);
});
