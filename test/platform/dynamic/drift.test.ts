import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep, waitFor } from '../../support/waitFor.js';
import { aPod, createPod, endPod, readPod } from '../../support/workloads.js';
import type { NodeClaim } from '../../../platform/nodeClaims/types.js';
import { runningOn, startDynamicWorld, type DynamicWorld, type TenantUnderTest } from './dynamicWorld.js';

const byType = (type: string) => [{ property: 'vcluster.com/node-type', value: type }];
/** A pool that never consolidates, so only drift can take its nodes. */
const pool = (type: string, extra: object = {}) => ({ name: 'burst', nodeTypeSelector: byType(type), disruption: { consolidateAfter: 'Never', ...extra } });
const notDrifted = (c: { status?: { conditions?: { type: string; status: string }[] } }) => c.status?.conditions?.find((x) => x.type === 'NotDrifted');

describe('dynamic pools: drift, through the lab API', () => {
  let w: DynamicWorld;
  beforeAll(async () => { w = await startDynamicWorld(); });
  afterAll(async () => { await w?.stop(); });

  /** One joined cpu-small node of pool `burst` that a finished job left empty. */
  async function emptyNode(t: TenantUnderTest, extra: object = {}) {
    await t.setPools([pool('cpu-small', extra)]);
    await createPod(t.core, aPod('job', { requests: { cpu: '1' } }));
    await runningOn(t.core, 'job');
    await endPod(t.core, 'job');
    await waitFor(async () => (await readPod(t.core, 'job'))?.status?.phase === 'Succeeded', { what: 'job Succeeded' });
    const [claim] = await waitFor(async () => {
      const claims = await t.claims('burst');
      return claims.length === 1 && claims[0].status?.phase === 'Available' && notDrifted(claims[0])?.status === 'True' && claims;
    }, { what: 'one joined claim that matches its pool', timeoutMs: 30_000 });
    return claim;
  }

  it('marks a claim whose node type the changed selector excludes as drifted and disrupts it with reason Drifted', async () => {
    const t = await w.tenant('dyn-drift');
    const claim = await emptyNode(t);
    await t.setPools([pool('cpu-large')]);
    const event = await waitFor(() => w.claimEvents(claim.metadata.name!).find((e) => e.reason === 'Disrupting'), { what: 'Disrupting', timeoutMs: 30_000 });
    expect(event.message).toMatch(/^Drifted: no longer matches pool burst: node type m3\.cpu-small no longer satisfies privateNodes\.autoNodes\[0\]\.dynamic\[0\]\.nodeTypeSelector: vcluster\.com\/node-type In \[cpu-large\]; node host-\d+ is empty$/);
    await waitFor(async () => (await t.claims('burst')).length === 0, { what: 'the drifted claim gone', timeoutMs: 30_000 });
    await waitFor(() => !w.provider.nodes.has(claim.metadata.uid!), { what: 'its machine released', timeoutMs: 30_000 });
  });

  it('holds a drifted node while the pool’s budget for Drifted is 0, and takes it once the budget allows', async () => {
    const t = await w.tenant('dyn-budget');
    const held = { budgets: [{ nodes: '0', reasons: ['Drifted'] }] };
    const claim = await emptyNode(t, held);
    await t.setPools([pool('cpu-large', held)]);
    const blocked = await waitFor(() => w.claimEvents(claim.metadata.name!).find((e) => e.reason === 'DisruptionBlocked'), { what: 'DisruptionBlocked', timeoutMs: 30_000 });
    expect(blocked.message).toContain("but pool burst's disruption budget nodes=0 allows no more now");
    await sleep(1000);
    expect((await t.claims('burst')).map((c) => c.metadata.name)).toEqual([claim.metadata.name]);
    expect(w.claimEvents(claim.metadata.name!).map((e) => e.reason)).not.toContain('Disrupting');

    await t.setPools([pool('cpu-large')]);
    await waitFor(async () => (await t.claims('burst')).length === 0, { what: 'the drifted claim gone once the budget allows', timeoutMs: 30_000 });
  });

  /** One cpu-small node of pool `burst` running pod `busy` (3 cpu: it fits on no other node there is). */
  async function busyNode(t: TenantUnderTest, extra: object = {}) {
    await t.setPools([pool('cpu-small', extra)]);
    await createPod(t.core, aPod('busy', { requests: { cpu: '3' } }));
    const node = await runningOn(t.core, 'busy');
    const [claim] = await waitFor(async () => (await t.claims('burst')).length === 1 && t.claims('burst'), { what: 'one claim', timeoutMs: 30_000 });
    return { claim, node };
  }

  it('replaces a busy drifted node first, and deletes it only once its replacement is Ready', async () => {
    const t = await w.tenant('dyn-busy');
    const { claim } = await busyNode(t);
    const violations: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const all = await w.h.custom.listNamespacedCustomObject({ group: 'management.loft.sh', version: 'v1', namespace: claim.metadata.namespace!, plural: 'nodeclaims' }) as { items: NodeClaim[] };
        const old = all.items.find((c) => c.metadata.uid === claim.metadata.uid);
        const replacement = all.items.find((c) => c.metadata.annotations?.['vcluster.loft.sh/replaces'] === claim.metadata.name);
        if ((!old || old.metadata.deletionTimestamp) && replacement?.status?.phase !== 'Available') violations.push('the drifted claim went before its replacement was Available');
        await sleep(50);
      }
    })();
    await t.setPools([pool('cpu-large')]);
    const created = await waitFor(() => w.claimEvents(claim.metadata.name!).find((e) => e.reason === 'DriftReplacement'), { what: 'DriftReplacement', timeoutMs: 30_000 });
    expect(created.message).toMatch(/^NodeClaim dyn-busy-burst-\w+ \(node type m3\.cpu-large\) created for the 1 pod\(s\) of this drifted one; this one is deleted once they fit there$/);
    const event = await waitFor(() => w.claimEvents(claim.metadata.name!).find((e) => e.reason === 'Disrupting'), { what: 'Disrupting', timeoutMs: 30_000 });
    expect(event.message).toMatch(/^Drifted: .*; node host-\d+ has pods that fit on the other nodes$/);
    const [replacement] = await waitFor(async () => {
      const claims = await t.claims('burst');
      return claims.length === 1 && claims[0].metadata.uid !== claim.metadata.uid && claims;
    }, { what: 'only the replacement left', timeoutMs: 30_000 });
    watching = false;
    await watcher;
    expect(violations).toEqual([]);
    expect(replacement.spec.typeRef).toBe('m3.cpu-large');
    expect(JSON.parse(replacement.metadata.annotations!['vcluster.loft.sh/nominated-pods'])).toEqual(['default/busy']);
  });

  it('deletes nothing when the pool’s limits leave no room for the replacement, and says why', async () => {
    const t = await w.tenant('dyn-limit');
    const { claim } = await busyNode(t);
    await t.setPools([{ ...pool('cpu-large'), limits: { nodes: '1' } }]);
    const blocked = await waitFor(() => w.claimEvents(claim.metadata.name!).find((e) => e.reason === 'DisruptionBlocked'), { what: 'DisruptionBlocked', timeoutMs: 30_000 });
    expect(blocked.message).toMatch(/fit on no other node and no replacement can be created: pool burst: pool limit nodes=1 reached$/);
    await sleep(1000);
    expect((await t.claims('burst')).map((c) => c.metadata.name)).toEqual([claim.metadata.name]);
    expect(w.claimEvents(claim.metadata.name!).map((e) => e.reason)).not.toContain('Disrupting');
  });
});
