import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startAutoNodesController } from '../../../platform/autoNodes/index.js';
import { startNodeClaimController } from '../../../platform/nodeClaims/index.js';
import type { NodeClaim } from '../../../platform/nodeClaims/types.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { GROUP, PROJECT_NS, startHarness, VERSION, type Harness } from '../support/harness.js';
import { condition, createNodeType } from '../support/objects.js';
import { KubeletStandIn, PoolWatch } from '../support/poolWatch.js';
import { createVci, liveClaimsOf, setProject, setVciValues, vciCondition, vciValues } from '../support/vcis.js';
import { sleep, waitFor } from '../../support/waitFor.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const QUOTA_NS = 'p-quota';
const bySize = (size: string) => [{ property: 'size', value: size }];
const pool = (quantity: number, size: string) => [{ provider: 'm3', static: [{ name: 'workers', quantity, nodeTypeSelector: bySize(size) }] }];
const names = (claims: NodeClaim[]) => claims.map((c) => c.metadata.name!).sort();

describe('a static pool whose nodeTypeSelector changes (drift)', () => {
  let h: Harness;
  let provider: FakeProvider;
  let kubelet: KubeletStandIn;
  const stops: { stop(): Promise<void> }[] = [];
  const watches: PoolWatch[] = [];

  /** A VCI whose pool `workers` has `quantity` joined nodes of `size`, watched from the start. */
  async function joinedPool(namespace: string, vci: string, quantity: number, size: string): Promise<{ watch: PoolWatch; original: NodeClaim[] }> {
    await h.writeTenantSecret(vci, namespace);
    const watch = await new PoolWatch(h, kubelet, vci, 'workers', quantity).start();
    watches.push(watch);
    await createVci(h, namespace, vci, pool(quantity, size));
    const original = await waitFor(async () => {
      const claims = await liveClaimsOf(h, namespace, vci);
      return claims.length === quantity && claims.every((c) => c.status?.phase === 'Available' && condition(c, 'NotDrifted')?.status === 'True') && claims;
    }, { what: `${vci}: ${quantity} joined claim(s) that match their pool`, timeoutMs: 30_000 });
    await waitFor(() => watch.readyNodes().length === quantity, { what: `${vci}: ${quantity} Ready node(s)`, timeoutMs: 30_000 });
    watch.guard = true;
    return { watch, original };
  }

  const vciEvents = (vci: string, reason: string) => h.events.events.filter((e) => e.ref.name === vci && e.reason === reason);

  beforeAll(async () => {
    h = await startHarness();
    provider = new FakeProvider({ machines: 40 });
    h.providers.map.set('m3', provider);
    await createNodeType(h, 'm3', 'small', { properties: { size: 'small' }, cost: 10 });
    await createNodeType(h, 'm3', 'large', { properties: { size: 'large' }, cost: 20 });
    await createNodeType(h, 'm3', 'scarce', { properties: { size: 'scarce' }, total: 0 });
    await h.mgmtCore.createNamespace({ body: { metadata: { name: QUOTA_NS } } });
    kubelet = new KubeletStandIn(h, provider);
    stops.push(await startNodeClaimController(h.deps()));
    stops.push(await startAutoNodesController(h.deps()));
  });

  afterAll(async () => {
    kubelet?.stop();
    for (const w of watches) await w.stop();
    for (const s of stops.reverse()) await s.stop();
    await h?.close();
  });

  it('replaces drifted claims one at a time, the new node Ready before the old is deleted, never below quantity', async () => {
    const { watch, original } = await joinedPool(PROJECT_NS, 'roll', 2, 'small');

    await setVciValues(h, PROJECT_NS, 'roll', vciValues(pool(2, 'large')));
    const drifted = await waitFor(async () => {
      const c = condition((await liveClaimsOf(h, PROJECT_NS, 'roll')).find((x) => x.metadata.name === original[0].metadata.name), 'NotDrifted');
      return c?.status === 'False' && c;
    }, { what: 'NotDrifted=False on an original claim', timeoutMs: 30_000 });
    expect(drifted.reason).toBe('RequirementsDrifted');
    expect(drifted.message).toBe('no longer matches pool workers: node type m3.small no longer satisfies privateNodes.autoNodes[0].static[0].nodeTypeSelector: size In [large]');

    const rolled = await waitFor(async () => {
      const claims = await liveClaimsOf(h, PROJECT_NS, 'roll');
      return claims.length === 2 && claims.every((c) => c.spec.typeRef === 'm3.large' && c.status?.phase === 'Available' && condition(c, 'NotDrifted')?.status === 'True') && claims;
    }, { what: 'both claims replaced by large ones', timeoutMs: 30_000 });
    await waitFor(() => original.every((o) => !provider.nodes.has(o.metadata.uid!)), { what: 'the original machines released', timeoutMs: 30_000 });

    expect(watch.violations).toEqual([]);
    expect(watch.maxLive).toBe(3);
    expect(names(rolled)).not.toEqual(expect.arrayContaining(names(original)));
    await waitFor(async () => (await vciCondition(h, PROJECT_NS, 'roll', 'NodesNotDrifted'))?.status === 'True', { what: 'NodesNotDrifted=True', timeoutMs: 30_000 });
    const replacing = vciEvents('roll', 'Replacing').map((e) => e.message);
    expect(replacing.some((m) => m.includes(`replacing drifted NodeClaim ${original[0].metadata.name}`) || m.includes(`replacing drifted NodeClaim ${original[1].metadata.name}`))).toBe(true);
    expect(h.events.events.filter((e) => e.reason === 'Disrupting' && original.some((o) => o.metadata.name === e.ref.name)).map((e) => e.message))
      .toEqual(expect.arrayContaining([expect.stringMatching(/^Drifted: replaced by NodeClaim roll-workers-\w+, which joined and whose Node is Ready$/)]));
  });

  it('keeps a claim that still matches a changed selector: no replacement, no churn', async () => {
    const { original } = await joinedPool(PROJECT_NS, 'widen', 1, 'small');
    const widenCreates = () => provider.createCalls.filter((c) => c.claim.name.startsWith('widen-')).length;
    const creates = widenCreates();
    await setVciValues(h, PROJECT_NS, 'widen', vciValues([{ provider: 'm3', static: [{ name: 'workers', quantity: 1, nodeTypeSelector: [{ property: 'size', values: ['small', 'large'] }] }] }]));
    await sleep(1000);
    const claims = await liveClaimsOf(h, PROJECT_NS, 'widen');
    expect(names(claims)).toEqual(names(original));
    expect(condition(claims[0], 'NotDrifted')?.status).toBe('True');
    expect(widenCreates()).toBe(creates);
  });

  it('deletes nothing while no host fits the new selector, says why once, and resumes when capacity appears', async () => {
    const { watch, original } = await joinedPool(PROJECT_NS, 'scarce', 1, 'small');
    await setVciValues(h, PROJECT_NS, 'scarce', vciValues(pool(1, 'scarce')));
    const blocked = await waitFor(async () => {
      const c = await vciCondition(h, PROJECT_NS, 'scarce', 'NodesNotDrifted');
      return c?.reason === 'ReplacementBlocked' && c;
    }, { what: 'NodesNotDrifted=False ReplacementBlocked', timeoutMs: 30_000 });
    expect(blocked.status).toBe('False');
    expect(blocked.message).toMatch(/^pool workers: replacement NodeClaim scarce-workers-\w+ for drifted scarce-workers-\w+ cannot be scheduled \(InsufficientCapacity: matching NodeTypes have no free capacity: m3\.scarce\); nothing is deleted until it can$/);
    await sleep(2000); // several backoff passes of the waiting replacement
    expect(vciEvents('scarce', 'ReplacementBlocked')).toHaveLength(1);
    expect(names((await liveClaimsOf(h, PROJECT_NS, 'scarce')).filter((c) => c.spec.typeRef === 'm3.small'))).toEqual(names(original));
    expect((await liveClaimsOf(h, PROJECT_NS, 'scarce'))).toHaveLength(2);

    await h.custom.patchClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural: 'nodetypes', name: 'm3.scarce', body: { status: { capacity: { total: 5, claimed: 0 } } } }, MERGE);
    await waitFor(async () => {
      const claims = await liveClaimsOf(h, PROJECT_NS, 'scarce');
      return claims.length === 1 && claims[0].spec.typeRef === 'm3.scarce' && claims[0].status?.phase === 'Available';
    }, { what: 'the replacement joined and the drifted claim gone', timeoutMs: 30_000 });
    expect(watch.violations).toEqual([]);
  });

  it('deletes nothing at a project quota that leaves no room for the surge, and resumes when the quota grows', async () => {
    await setProject(h, 'quota', { quotas: { project: { nodeclaims: '1' } } });
    const { watch, original } = await joinedPool(QUOTA_NS, 'capped', 1, 'small');
    await setVciValues(h, QUOTA_NS, 'capped', vciValues(pool(1, 'large')));
    const blocked = await waitFor(async () => {
      const c = await vciCondition(h, QUOTA_NS, 'capped', 'NodesNotDrifted');
      return c?.reason === 'ReplacementBlocked' && c;
    }, { what: 'NodesNotDrifted=False ReplacementBlocked at the quota', timeoutMs: 30_000 });
    expect(blocked.message).toBe(`pool workers: no replacement for drifted NodeClaim ${original[0].metadata.name} can be created: ` +
      `cannot create nodeclaim, because project nodeclaims limit of 1 would be exceeded (pool workers: a replacement for drifted NodeClaim ${original[0].metadata.name}); ` +
      'nothing is deleted until the project has room');
    await sleep(1000);
    expect(vciEvents('capped', 'ReplacementBlocked')).toHaveLength(1);
    expect(names(await liveClaimsOf(h, QUOTA_NS, 'capped'))).toEqual(names(original));

    await setProject(h, 'quota', { quotas: { project: { nodeclaims: '2' } } });
    await waitFor(async () => {
      const claims = await liveClaimsOf(h, QUOTA_NS, 'capped');
      return claims.length === 1 && claims[0].spec.typeRef === 'm3.large' && claims[0].status?.phase === 'Available';
    }, { what: 'the drift completed once the quota has room', timeoutMs: 30_000 });
    expect(watch.violations).toEqual([]);
  });

  it('cancels the replacement cleanly when the drift is reverted before it joined', async () => {
    const { watch, original } = await joinedPool(PROJECT_NS, 'revert', 1, 'small');
    kubelet.hold = (claim) => claim.startsWith('revert-');
    try {
      await setVciValues(h, PROJECT_NS, 'revert', vciValues(pool(1, 'large')));
      const replacement = await waitFor(async () => {
        const r = (await liveClaimsOf(h, PROJECT_NS, 'revert')).find((c) => c.metadata.annotations?.['vcluster.loft.sh/replaces'] === original[0].metadata.name);
        return r && provider.nodes.has(r.metadata.uid!) && r;
      }, { what: 'a replacement being provisioned', timeoutMs: 30_000 });
      await setVciValues(h, PROJECT_NS, 'revert', vciValues(pool(1, 'small')));
      await waitFor(async () => names(await liveClaimsOf(h, PROJECT_NS, 'revert')).join() === names(original).join(), { what: 'only the original claim left', timeoutMs: 30_000 });
      await waitFor(() => !provider.nodes.has(replacement.metadata.uid!), { what: 'the replacement’s machine released', timeoutMs: 30_000 });
      await waitFor(async () => condition((await liveClaimsOf(h, PROJECT_NS, 'revert'))[0], 'NotDrifted')?.status === 'True', { what: 'NotDrifted=True again', timeoutMs: 30_000 });
      expect(h.events.events).toContainEqual(expect.objectContaining({ reason: 'Disrupting', ref: expect.objectContaining({ name: replacement.metadata.name }),
        message: expect.stringMatching(/^DriftCancelled: drift replacement cancelled before it joined: /) }));
      await sleep(500);
      expect(names(await liveClaimsOf(h, PROJECT_NS, 'revert'))).toEqual(names(original));
      expect(watch.violations).toEqual([]);
    } finally {
      kubelet.hold = () => false;
    }
  });

  it('does not retry a Failed replacement and keeps the drifted claim', async () => {
    const { original } = await joinedPool(PROJECT_NS, 'broken', 1, 'small');
    kubelet.hold = (claim) => claim.startsWith('broken-');
    try {
      await setVciValues(h, PROJECT_NS, 'broken', vciValues(pool(1, 'large')));
      const replacement = await waitFor(async () => {
        const r = (await liveClaimsOf(h, PROJECT_NS, 'broken')).find((c) => c.metadata.annotations?.['vcluster.loft.sh/replaces']);
        return r && provider.nodes.has(r.metadata.uid!) && r;
      }, { what: 'a replacement being provisioned', timeoutMs: 30_000 });
      provider.setPhase(replacement.metadata.uid!, 'Failed', { reason: 'ProvisioningError', message: 'Image checksum mismatch' });
      const failed = await waitFor(async () => {
        const c = await vciCondition(h, PROJECT_NS, 'broken', 'NodesNotDrifted');
        return c?.reason === 'ReplacementFailed' && c;
      }, { what: 'NodesNotDrifted ReplacementFailed', timeoutMs: 30_000 });
      expect(failed.message).toContain(`${original[0].metadata.name} is kept: delete ${replacement.metadata.name} to try again`);
      const creates = provider.createCalls.filter((c) => c.claim.name.startsWith('broken-')).length;
      await sleep(1500);
      expect(provider.createCalls.filter((c) => c.claim.name.startsWith('broken-')).length).toBe(creates);
      expect(names(await liveClaimsOf(h, PROJECT_NS, 'broken'))).toEqual(names([...original, replacement]));
    } finally {
      kubelet.hold = () => false;
    }
  });

  it('keeps a Ready node when the pool is scaled down during a drift', async () => {
    const { watch } = await joinedPool(PROJECT_NS, 'shrink', 2, 'small');
    await setVciValues(h, PROJECT_NS, 'shrink', vciValues(pool(2, 'scarce-none')));
    await waitFor(async () => (await vciCondition(h, PROJECT_NS, 'shrink', 'NodesNotDrifted'))?.reason === 'ReplacementBlocked', { what: 'the replacement blocked', timeoutMs: 30_000 });
    watch.quantity = 1;
    await setVciValues(h, PROJECT_NS, 'shrink', vciValues(pool(1, 'scarce-none')));
    await waitFor(async () => (await liveClaimsOf(h, PROJECT_NS, 'shrink')).filter((c) => c.spec.typeRef === 'm3.small').length === 1, { what: 'one original claim left', timeoutMs: 30_000 });
    await sleep(1000);
    expect(watch.readyNodes()).toHaveLength(1);
    expect(watch.violations.filter((v) => v.startsWith('only'))).toEqual([]);
  });
});
