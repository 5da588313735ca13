import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sleep, waitFor } from '../../support/waitFor.js';
import { aPod, createPod, endPod, readPod } from '../../support/workloads.js';
import { setProject } from '../support/vcis.js';
import { runningOn, startDynamicWorld, type DynamicWorld, type TenantUnderTest } from './dynamicWorld.js';

const SMALL_ONLY = [{ property: 'vcluster.com/node-type', value: 'cpu-small' }];
const pool = (disruption: object, extra: object = {}) => ({ name: 'burst', nodeTypeSelector: SMALL_ONLY, disruption, ...extra });

describe('dynamic pools: disruption, through the lab API', () => {
  let w: DynamicWorld;
  beforeAll(async () => { w = await startDynamicWorld(); });
  afterAll(async () => { await w?.stop(); });

  /**
   * Two cpu-small nodes: `keep` (3 cpu) alone on one, `spare` (0.5 cpu) beside a 3-cpu job that the test
   * ends once both nodes are busy (the job holds the room `keep` would otherwise take beside `spare`).
   */
  async function twoNodesOneUnderutilized(t: TenantUnderTest, spare: Parameters<typeof aPod>[1] = {}) {
    await createPod(t.core, aPod('job', { requests: { cpu: '3' } }));
    const jobNode = await runningOn(t.core, 'job');
    await createPod(t.core, aPod('spare', { requests: { cpu: '500m' }, ...spare }));
    const spareNode = await runningOn(t.core, 'spare');
    expect(spareNode).toBe(jobNode);
    await createPod(t.core, aPod('keep', { requests: { cpu: '3' } }));
    const keepNode = await runningOn(t.core, 'keep');
    expect(keepNode).not.toBe(spareNode);
    // Read the claims while both nodes are busy: once the job ends the spare node may be consolidated at once.
    const claims = await t.claims();
    await endPod(t.core, 'job');
    await waitFor(async () => (await readPod(t.core, 'job'))?.status?.phase === 'Succeeded', { what: 'job Succeeded' });
    const nameOf = async (node: string) => claims.find((c) => w.provider.nodes.get(c.metadata.uid!)?.machine.name === node)!.metadata.name!;
    return { spareClaim: await nameOf(spareNode), keepClaim: await nameOf(keepNode) };
  }

  const disrupted = (t: TenantUnderTest, claim: string) => waitFor(
    () => w.claimEvents(claim).find((e) => e.reason === 'Disrupting'), { what: `claim ${claim} disrupted`, timeoutMs: 15_000 });

  it('WhenEmpty: releases a node once its last pod has been gone for consolidateAfter, and its host is cleaned', async () => {
    const t = await w.tenant('when-empty');
    await t.setPools([pool({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '1s' })]);
    await createPod(t.core, aPod('gpu-job', { requests: { cpu: '2' } }));
    await runningOn(t.core, 'gpu-job');
    const [claim] = await t.claims();
    await endPod(t.core, 'gpu-job');
    const event = await disrupted(t, claim.metadata.name!);
    expect(event.message).toMatch(/^Empty: node host-\d+ has had no pods for 1s \(consolidationPolicy WhenEmpty\)$/);
    // The NodeClaim controller drains, deletes the Node and releases the host (the provider cleans it).
    await waitFor(() => !w.provider.nodes.has(claim.metadata.uid!), { what: 'host released' });
    expect(w.provider.deleteCalls.some((c) => c.claim.uid === claim.metadata.uid)).toBe(true);
    await waitFor(async () => (await t.claims()).length === 0, { what: 'claim gone' });
  });

  it('WhenEmpty: keeps a node that still runs a pod, even if the pod would fit elsewhere', async () => {
    const t = await w.tenant('empty-only');
    await t.setPools([pool({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '1s' })]);
    const { spareClaim } = await twoNodesOneUnderutilized(t);
    await sleep(3000);
    expect((await t.claims()).map((c) => c.metadata.name)).toContain(spareClaim);
    expect(w.claimEvents(spareClaim).some((e) => e.reason === 'Disrupting')).toBe(false);
  });

  it('WhenEmptyOrUnderutilized: drains a node whose pods fit on the other nodes', async () => {
    const t = await w.tenant('underutilized');
    await t.setPools([pool({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1s' })]);
    const { spareClaim, keepClaim } = await twoNodesOneUnderutilized(t);
    const event = await disrupted(t, spareClaim);
    expect(event.message).toMatch(/^Underutilized: the 1 pod\(s\) on node host-\d+ fit on the other nodes/);
    await waitFor(async () => (await t.claims()).length === 1, { what: 'one claim left' });
    expect((await t.claims())[0].metadata.name).toBe(keepClaim);
    await waitFor(async () => !(await readPod(t.core, 'spare')), { what: 'spare evicted' });
    // Its controller would recreate it: it now fits on the remaining node.
    await createPod(t.core, aPod('spare', { requests: { cpu: '500m' } }));
    const keepHost = w.provider.nodes.get((await t.claims())[0].metadata.uid!)!.machine.name;
    expect(await runningOn(t.core, 'spare')).toBe(keepHost);
  });

  it('do-not-disrupt: a pod with karpenter.sh/do-not-disrupt keeps its underutilized node', async () => {
    const t = await w.tenant('do-not-disrupt');
    await t.setPools([pool({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1s' })]);
    const { spareClaim } = await twoNodesOneUnderutilized(t, { annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
    const blocked = await waitFor(() => w.claimEvents(spareClaim).find((e) => e.reason === 'DisruptionBlocked'), { what: 'DisruptionBlocked' });
    expect(blocked.message).toContain('pod default/spare on node');
    expect(blocked.message).toContain('karpenter.sh/do-not-disrupt');
    expect((await waitFor(async () => (await t.podEvents('spare')).find((e) => e.reason === 'DisruptionBlocked'), { what: 'pod event' })).message)
      .toContain('karpenter.sh/do-not-disrupt');
    await sleep(1500);
    expect((await t.claims()).map((c) => c.metadata.name)).toContain(spareClaim);
  });

  it('budgets: nodes "0" in an active schedule window holds empty nodes; lifting the budget releases them', async () => {
    const t = await w.tenant('budgets');
    const disruption = { consolidationPolicy: 'WhenEmpty', consolidateAfter: '1s' };
    await t.setPools([pool({ ...disruption, budgets: [{ nodes: '100%' }, { nodes: '0', schedule: '* * * * *', duration: '1h' }] })]);
    await createPod(t.core, aPod('short', { requests: { cpu: '1' } }));
    await runningOn(t.core, 'short');
    const [claim] = await t.claims();
    await endPod(t.core, 'short');
    const blocked = await waitFor(() => w.claimEvents(claim.metadata.name!).find((e) => e.reason === 'DisruptionBlocked'), { what: 'blocked by budget' });
    expect(blocked.message).toContain('disruption budget nodes=0 (schedule "* * * * *" for 60m) allows no more now');
    expect(await t.claims()).toHaveLength(1);
    await t.setPools([pool({ ...disruption, budgets: [{ nodes: '20%' }] })]);
    await disrupted(t, claim.metadata.name!);
    await waitFor(async () => (await t.claims()).length === 0, { what: 'claim gone' });
  });

  it('expireAfter: replaces a node that outlived its lifetime', async () => {
    const t = await w.tenant('expiry');
    await t.setPools([pool({ consolidateAfter: 'Never' }, { expireAfter: '3s' })]);
    await createPod(t.core, aPod('long', { requests: { cpu: '1' } }));
    await runningOn(t.core, 'long');
    const [first] = await t.claims();
    const event = await disrupted(t, first.metadata.name!);
    expect(event.message).toBe('Expired: NodeClaim lived longer than expireAfter (3s); replacing it');
    await waitFor(async () => !(await readPod(t.core, 'long')), { what: 'long evicted' });
    await createPod(t.core, aPod('long', { requests: { cpu: '1' } }));
    await runningOn(t.core, 'long');
    const [second] = await t.claims();
    expect(second.metadata.name).not.toBe(first.metadata.name);
  });
  it('expireAfter is forceful, but the drain waits for a do-not-disrupt pod until the terminationGracePeriod', async () => {
    const t = await w.tenant('expiry-pinned');
    await t.setPools([pool({ consolidateAfter: 'Never' }, { expireAfter: '2s', terminationGracePeriod: '2s' })]);
    await createPod(t.core, aPod('pinned', { requests: { cpu: '1' }, annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }));
    await runningOn(t.core, 'pinned');
    const [claim] = await t.claims();
    await disrupted(t, claim.metadata.name!);
    await sleep(1000);
    expect((await readPod(t.core, 'pinned'))?.status?.phase).toBe('Running');
    await waitFor(() => w.claimEvents(claim.metadata.name!).some((e) => e.reason === 'DrainTimeout'), { what: 'drain gave up at the grace period' });
    await waitFor(() => !w.provider.nodes.has(claim.metadata.uid!), { what: 'host released' });
  });
});


describe('dynamic pools: bad input', () => {
  let w: DynamicWorld;
  beforeAll(async () => { w = await startDynamicWorld(); });
  afterAll(async () => { await w?.stop(); });

  it('a malformed limit is reported on the VCI naming the field, and nothing is created or deleted for the pool', async () => {
    const t = await w.tenant('bad-input');
    const good = { ...pool({ consolidationPolicy: 'WhenEmpty', consolidateAfter: '1s' }), nodeTypeSelector: [{ property: 'vcluster.com/node-type', operator: 'NotIn', values: ['dgx'] }] };
    await t.setPools([good]);
    await createPod(t.core, aPod('runs', { requests: { cpu: '1' } }));
    await runningOn(t.core, 'runs');
    const [claim] = await t.claims();

    await t.setPools([{ ...good, limits: { cpu: 'lots' } }]);
    const cond = await waitFor(async () => (await t.vciCondition('AutoNodesValid'))?.status === 'False' && t.vciCondition('AutoNodesValid'), { what: 'AutoNodesValid=False' });
    expect(cond?.message).toContain('privateNodes.autoNodes[0].dynamic[0].limits.cpu: must be a non-negative quantity');
    const event = await waitFor(() => w.h.events.events.find((e) => e.ref.kind === 'VirtualClusterInstance' && e.ref.name === 'bad-input' && e.reason === 'InvalidAutoNodesConfig'), { what: 'VCI event' });
    expect(event.message).toContain('dynamic[0].limits.cpu');

    // The pod ends (the node would be empty) and a new pod waits: neither consolidation nor provisioning happens.
    await createPod(t.core, aPod('waits', { requests: { cpu: '5' } }));
    await endPod(t.core, 'runs');
    await waitFor(async () => (await readPod(t.core, 'runs'))?.status?.phase === 'Succeeded', { what: 'runs Succeeded' });
    await sleep(3000);
    expect((await t.claims()).map((c) => c.metadata.name)).toEqual([claim.metadata.name]);
    expect(w.claimEvents(claim.metadata.name!).some((e) => e.reason === 'Disrupting')).toBe(false);

    await t.setPools([good]);
    await disruptedOrGone(w, t, claim.metadata.name!);
  });
});

describe('dynamic pools: project quota', () => {
  let w: DynamicWorld;
  beforeAll(async () => { w = await startDynamicWorld(); });
  afterAll(async () => { await w?.stop(); });

  it('counts dynamic claims against the Project machine quota and says so on the pod it cannot serve', async () => {
    const t = await w.tenant('quota');
    await setProject(w.h, 'test', { quotas: { project: { nodeclaims: '1' } } });
    await t.setPools([{ name: 'burst', nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: 'cpu-large' }] }]);
    await createPod(t.core, aPod('q1', { requests: { cpu: '12' } }));
    await createPod(t.core, aPod('q2', { requests: { cpu: '12' } }));
    const refused = await waitFor(async () => [...await t.podEvents('q1'), ...await t.podEvents('q2')].find((e) => e.reason === 'FailedScheduling'), { what: 'FailedScheduling' });
    expect(refused.message).toContain('project nodeclaims limit of 1 would be exceeded');
    expect(await t.claims()).toHaveLength(1);
  });
});

async function disruptedOrGone(w: DynamicWorld, t: TenantUnderTest, claim: string): Promise<void> {
  await waitFor(() => w.claimEvents(claim).some((e) => e.reason === 'Disrupting'), { what: 'disrupted once the config is fixed', timeoutMs: 15_000 });
  const [fresh] = await waitFor(async () => {
    const claims = await t.claims();
    return claims.length === 1 && claims[0].metadata.name !== claim && claims;
  }, { what: 'a new claim for the waiting pod, the empty one gone' });
  expect(fresh.spec.typeRef).toBe('m3.cpu-large');
}
