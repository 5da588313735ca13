import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { nodeEnvironmentName } from '../../../platform/autoNodes/nodeEnvironment.js';
import { waitFor } from '../../support/waitFor.js';
import { aPod, createPod } from '../../support/workloads.js';
import { runningOn, startDynamicWorld, type DynamicWorld } from './dynamicWorld.js';

const cpuPool = (name: string, extra: object = {}) => ({
  name, nodeTypeSelector: [{ property: 'vcluster.com/node-type', operator: 'NotIn', values: ['m3.dgx'] }], ...extra,
});

describe('dynamic pools: provisioning from pending pods, through the lab API', () => {
  let w: DynamicWorld;
  beforeAll(async () => { w = await startDynamicWorld(); });
  afterAll(async () => { await w?.stop(); });

  it('batches pending pods into the cheapest node that fits them all, and the pods run there', async () => {
    const t = await w.tenant('scale-up');
    await t.setPools([{ name: 'general' }]);
    for (const n of ['a', 'b', 'c']) await createPod(t.core, aPod(n, { requests: { cpu: '1', memory: '2Gi' } }));

    const [claim] = await waitFor(async () => (await t.claims('general')).length === 1 && t.claims('general'), { what: 'one claim' });
    expect(claim.spec.typeRef).toBe('m3.cpu-small');
    expect(claim.metadata.labels).toMatchObject({ 'vcluster.loft.sh/node-pool': 'general', 'karpenter.sh/nodepool': 'general' });
    expect(claim.spec.desiredCapacity).toMatchObject({ cpu: '3', memory: '6Gi', pods: '3' });
    // It names the tenant cluster's NodeEnvironment of the provider, as static pools' claims do, and that exists.
    expect(claim.spec.environmentRef).toBe(nodeEnvironmentName('scale-up', claim.spec.providerRef));
    await expect(w.h.custom.getNamespacedCustomObject({
      group: 'management.loft.sh', version: 'v1', namespace: claim.metadata.namespace!, plural: 'nodeenvironments', name: claim.spec.environmentRef!,
    })).resolves.toMatchObject({ spec: { providerRef: claim.spec.providerRef, vClusterRef: 'scale-up' } });
    const nodes = new Set([await runningOn(t.core, 'a'), await runningOn(t.core, 'b'), await runningOn(t.core, 'c')]);
    expect(nodes.size).toBe(1);
    expect(await t.claims()).toHaveLength(1);
    expect(w.claimEvents(claim.metadata.name!).map((e) => e.reason)).toContain('Created');
    expect((await t.podEvents('a')).find((e) => e.reason === 'Nominated')?.message).toContain(`nodeclaim/${claim.metadata.name}`);
  });

  it('chooses a GPU node type only for a pod that asks for GPUs', async () => {
    const t = await w.tenant('gpu');
    await t.setPools([{ name: 'any' }]);
    await createPod(t.core, aPod('cpu-job', { requests: { cpu: '2' } }));
    const [cpuClaim] = await waitFor(async () => (await t.claims()).length === 1 && t.claims(), { what: 'claim for the CPU pod' });
    // The DGX type would fit too, but it offers GPUs and the pod asks for none.
    expect(cpuClaim.spec.typeRef).toBe('m3.cpu-small');
    await createPod(t.core, aPod('train', { requests: { cpu: '8', 'nvidia.com/gpu': '8' } }));
    const claims = await waitFor(async () => (await t.claims()).length === 2 && t.claims(), { what: 'two claims' });
    expect(claims.map((c) => c.spec.typeRef).sort()).toEqual(['m3.cpu-small', 'm3.dgx']);
    const gpuClaim = claims.find((c) => c.spec.typeRef === 'm3.dgx')!;
    expect(gpuClaim.metadata.annotations?.['vcluster.loft.sh/nominated-pods']).toBe(JSON.stringify(['default/train']));
    expect(await runningOn(t.core, 'train')).not.toBe(await runningOn(t.core, 'cpu-job'));
  });

  it('says on the pod why no node type fits, and creates nothing', async () => {
    const t = await w.tenant('too-big');
    await t.setPools([cpuPool('cpus')]);
    await createPod(t.core, aPod('huge', { requests: { cpu: '64' } }));
    const event = await waitFor(async () => (await t.podEvents('huge')).find((e) => e.reason === 'FailedScheduling'), { what: 'FailedScheduling' });
    expect(event.message).toContain('pool cpus: no node type fits: pod requests cpu=64');
    expect(await t.claims()).toHaveLength(0);
  });

  it('keeps within the pool limits and says which limit stopped it', async () => {
    const t = await w.tenant('limited');
    await t.setPools([cpuPool('capped', { limits: { nodes: '2' } })]);
    for (const n of ['l1', 'l2', 'l3']) await createPod(t.core, aPod(n, { requests: { cpu: '12' } }));
    await waitFor(async () => (await t.podEvents('l1')).length + (await t.podEvents('l2')).length + (await t.podEvents('l3')).length >= 3, { what: 'three pod events' });
    const claims = await t.claims();
    expect(claims).toHaveLength(2);
    expect(claims.every((c) => c.spec.typeRef === 'm3.cpu-large')).toBe(true);
    const failed = (await Promise.all(['l1', 'l2', 'l3'].map((p) => t.podEvents(p)))).flat().filter((e) => e.reason === 'FailedScheduling');
    expect(failed).toHaveLength(1);
    expect(failed[0].message).toContain('pool limit nodes=2 reached');
  });

  it('counts cpu limits against existing claims and picks a smaller type that still fits', async () => {
    const t = await w.tenant('cpu-limit');
    await t.setPools([cpuPool('budgeted', { limits: { cpu: '20' } })]);
    await createPod(t.core, aPod('big', { requests: { cpu: '12' } }));
    await waitFor(async () => (await t.claims()).length === 1, { what: 'first claim' });
    await createPod(t.core, aPod('small', { requests: { cpu: '3' } }));
    await createPod(t.core, aPod('extra', { requests: { cpu: '3' } }));
    await runningOn(t.core, 'small');
    await runningOn(t.core, 'extra');
    // 16 (large) + 4 (small) = 20: a second large node would exceed cpu=20, a small one does not.
    expect((await t.claims()).map((c) => c.spec.typeRef).sort()).toEqual(['m3.cpu-large', 'm3.cpu-small']);
    await createPod(t.core, aPod('over', { requests: { cpu: '3' } }));
    const failed = await waitFor(async () => (await t.podEvents('over')).find((e) => e.reason === 'FailedScheduling'), { what: 'FailedScheduling' });
    expect(failed.message).toContain('pool limit cpu=20 reached');
  });

  it('tries pools by weight and falls back when the heavier pool is full', async () => {
    const t = await w.tenant('weights');
    await t.setPools([
      { name: 'fallback', weight: 10, nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: 'cpu-large' }] },
      { name: 'preferred', weight: 50, nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: 'cpu-small' }], limits: { nodes: '1' } },
    ]);
    await createPod(t.core, aPod('w1', { requests: { cpu: '3' } }));
    const [first] = await waitFor(async () => (await t.claims()).length === 1 && t.claims(), { what: 'first claim' });
    expect(first.metadata.labels?.['vcluster.loft.sh/node-pool']).toBe('preferred');
    await runningOn(t.core, 'w1');
    await createPod(t.core, aPod('w2', { requests: { cpu: '3' } }));
    const second = await waitFor(async () => (await t.claims()).find((c) => c.metadata.name !== first.metadata.name), { what: 'second claim' });
    expect(second.metadata.labels?.['vcluster.loft.sh/node-pool']).toBe('fallback');
  });

  it('uses room on a claim still in flight before creating another', async () => {
    const t = await w.tenant('in-flight');
    await t.setPools([cpuPool('general')]);
    w.provider.machines = w.provider.nodes.size; // no machine boots: the claim stays in flight
    try {
      await createPod(t.core, aPod('first', { requests: { cpu: '1' } }));
      const [claim] = await waitFor(async () => (await t.claims()).length === 1 && t.claims(), { what: 'claim' });
      await createPod(t.core, aPod('second', { requests: { cpu: '1' } }));
      const nominated = await waitFor(async () => {
        const c = (await t.claims()).find((x) => x.metadata.name === claim.metadata.name);
        const list = JSON.parse(c?.metadata.annotations?.['vcluster.loft.sh/nominated-pods'] ?? '[]') as string[];
        return list.length === 2 && list;
      }, { what: 'second pod nominated to the claim in flight' });
      expect(nominated.sort()).toEqual(['default/first', 'default/second']);
      expect(await t.claims()).toHaveLength(1);
    } finally {
      w.provider.machines = 100;
    }
  });
});
