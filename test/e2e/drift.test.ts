/**
 * Drift end to end on the lab world (the real plugin, Metal3 simulator, servers booting with cloud-init):
 * a static pool's properties change, its claim is replaced surge-first, and at every observation the
 * tenant keeps its Ready node and the old claim goes only after its replacement joined.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { NodeClaim } from '../../platform/nodeClaims/types.js';
import type { World } from '../../lab/world.js';
import { startE2eWorld, type E2eWorld } from './labWorld.js';
import { sleep, waitFor } from '../support/waitFor.js';

const PATIENTLY = { timeoutMs: 120_000, everyMs: 200 };
const LOFT = { group: 'management.loft.sh', version: 'v1' };
const PROJECT = 'p-drift';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const values = (rack: string) => stringify({ privateNodes: { enabled: true, autoNodes: [{
  provider: 'metal3-provider',
  static: [{ name: 'cpu', quantity: 1, nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: 'cpu' }], properties: { 'example.com/rack': rack } }],
}] } });

describe('a static pool’s drift, end to end on the lab world', () => {
  let lab: E2eWorld;
  let world: World;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    lab = await startE2eWorld(PROJECT, {}, 'e2e-drift-');
    ({ world, custom } = lab);
    await custom.createNamespacedCustomObject({
      ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances',
      body: { apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name: 'tenant-d' }, spec: { template: { helmRelease: { values: values('r1') } } } },
    });
  }, 60_000);

  afterAll(async () => {
    await lab?.stop();
  });

  const claims = async () => ((await custom.listNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims' })) as { items: NodeClaim[] }).items;
  const isTrue = (c: NodeClaim, type: string) => c.status?.conditions?.some((x) => x.type === type && x.status === 'True');
  const readyNodes = async () => {
    const core = world.tenants.get(PROJECT, 'tenant-d')?.api.kubeConfig().makeApiClient(CoreV1Api);
    if (!core) return [];
    return (await core.listNode()).items.filter((n) => !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  };

  it('replaces the drifted claim by one that joined first, never leaving the tenant without its Ready node', async () => {
    const [original] = await waitFor(async () => {
      const all = await claims();
      return all.length === 1 && all[0].status?.phase === 'Available' && (await readyNodes()).length === 1 && all;
    }, { what: 'the pool’s node joined', ...PATIENTLY });

    const violations: string[] = [];
    let observing = true;
    const observer = (async () => {
      while (observing) {
        const [all, ready] = await Promise.all([claims(), readyNodes()]);
        if (ready.length < 1) violations.push(`no Ready node while claims are ${all.map((c) => `${c.metadata.name}:${c.status?.phase}`).join(', ')}`);
        const old = all.find((c) => c.metadata.uid === original.metadata.uid);
        const replacement = all.find((c) => c.metadata.annotations?.['vcluster.loft.sh/replaces'] === original.metadata.name);
        if ((!old || old.metadata.deletionTimestamp) && !(replacement && isTrue(replacement, 'Joined'))) violations.push('the drifted claim went before its replacement joined');
        await sleep(100);
      }
    })();

    await custom.patchNamespacedCustomObject({
      ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances', name: 'tenant-d', body: { spec: { template: { helmRelease: { values: values('r2') } } } },
    }, MERGE);
    const done = await waitFor(async () => {
      const all = await claims();
      return all.length === 1 && all[0].metadata.uid !== original.metadata.uid && all[0].status?.phase === 'Available' && isTrue(all[0], 'NotDrifted') && all[0];
    }, { what: 'the replacement alone, Available and matching its pool', ...PATIENTLY });
    observing = false;
    await observer;

    expect(violations).toEqual([]);
    expect(done.spec.properties).toMatchObject({ 'example.com/rack': 'r2' });
    expect((await readyNodes()).map((n) => n.metadata!.name)).toHaveLength(1);
  }, 240_000);
});
