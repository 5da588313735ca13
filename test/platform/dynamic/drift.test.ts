import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep, waitFor } from '../../support/waitFor.js';
import { aPod, createPod } from '../../support/workloads.js';
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
    await createPod(t.core, aPod('job', { requests: { cpu: '1' }, runFor: '1s' }));
    await runningOn(t.core, 'job');
    const [claim] = await waitFor(async () => {
      const claims = await t.claims('burst');
      return claims.length === 1 && claims[0].status?.phase === 'Available' && notDrifted(claims[0])?.status === 'True' && claims;
    }, { what: 'one joined claim that matches its pool' });
    return claim;
  }

  it('marks a claim whose node type the changed selector excludes as drifted and disrupts it with reason Drifted', async () => {
    const t = await w.tenant('dyn-drift');
    const claim = await emptyNode(t);
    await t.setPools([pool('cpu-large')]);
    const event = await waitFor(() => w.claimEvents(claim.metadata.name!).find((e) => e.reason === 'Disrupting'), { what: 'Disrupting', timeoutMs: 15_000 });
    expect(event.message).toMatch(/^Drifted: no longer matches pool burst: node type m3\.cpu-small no longer satisfies privateNodes\.autoNodes\[0\]\.dynamic\[0\]\.nodeTypeSelector: vcluster\.com\/node-type In \[cpu-large\]; node host-\d+ is empty$/);
    await waitFor(async () => (await t.claims('burst')).length === 0, { what: 'the drifted claim gone' });
    await waitFor(() => !w.provider.nodes.has(claim.metadata.uid!), { what: 'its machine released' });
  });

  it('holds a drifted node while the pool’s budget for Drifted is 0, and takes it once the budget allows', async () => {
    const t = await w.tenant('dyn-budget');
    const held = { budgets: [{ nodes: '0', reasons: ['Drifted'] }] };
    const claim = await emptyNode(t, held);
    await t.setPools([pool('cpu-large', held)]);
    const blocked = await waitFor(() => w.claimEvents(claim.metadata.name!).find((e) => e.reason === 'DisruptionBlocked'), { what: 'DisruptionBlocked', timeoutMs: 15_000 });
    expect(blocked.message).toContain("but pool burst's disruption budget nodes=0 allows no more now");
    await sleep(1000);
    expect((await t.claims('burst')).map((c) => c.metadata.name)).toEqual([claim.metadata.name]);
    expect(w.claimEvents(claim.metadata.name!).map((e) => e.reason)).not.toContain('Disrupting');

    await t.setPools([pool('cpu-large')]);
    await waitFor(async () => (await t.claims('burst')).length === 0, { what: 'the drifted claim gone once the budget allows', timeoutMs: 15_000 });
  });

  it('keeps a drifted node whose pods fit on no other node, and says so', async () => {
    const t = await w.tenant('dyn-busy');
    await t.setPools([pool('cpu-small')]);
    await createPod(t.core, aPod('busy', { requests: { cpu: '3' } }));
    await runningOn(t.core, 'busy');
    const [claim] = await waitFor(async () => (await t.claims('burst')).length === 1 && t.claims('burst'), { what: 'one claim' });
    await t.setPools([pool('cpu-large')]);
    const blocked = await waitFor(() => w.claimEvents(claim.metadata.name!).find((e) => e.reason === 'DisruptionBlocked'), { what: 'DisruptionBlocked', timeoutMs: 15_000 });
    expect(blocked.message).toMatch(/but the 1 pod\(s\) on node host-\d+ fit on no other node; it stays until they do$/);
    await sleep(500);
    expect((await t.claims('burst')).map((c) => c.metadata.name)).toEqual([claim.metadata.name]);
  });
});
