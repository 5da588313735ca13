/**
 * Termination drains the tenant Node through the Eviction API: ordinary pods are evicted, DaemonSet
 * pods stay, a PodDisruptionBudget holds the Node until the pool's terminationGracePeriod, and
 * vcluster.com/skip-node-drain skips eviction. Deletion order is read from the tenant API's watch
 * (each DELETED event carries the resourceVersion of its deletion).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, PolicyV1Api, setHeaderOptions, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { SKIP_DRAIN_ANNOTATION, TERMINATION_GRACE_ANNOTATION } from '../../../platform/nodeClaims/types.js';
import type { FakeProvider } from '../support/fakeProvider.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import { GROUP, PROJECT_NS, VERSION, type Harness } from '../support/harness.js';
import { condition, createClaim, deleteClaim, getClaim, joinTenantNode } from '../support/objects.js';
import { waitFor } from '../../support/waitFor.js';
import { expectClaimCondition } from '../../support/expectations.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Deletion { kind: 'Pod' | 'Node'; name: string; rv: number; at: number }

describe('draining the tenant Node when a claim is deleted', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;
  const watches: AbortController[] = [];
  const deletions: Deletion[] = [];

  beforeAll(async () => {
    world = await startClaimControllerWorld({ provider: { machines: 5 }, controller: false });
    ({ h, provider } = world);
    const watch = new Watch(h.tenant.kubeConfig());
    for (const [kind, path] of [['Pod', '/api/v1/pods'], ['Node', '/api/v1/nodes']] as const) {
      watches.push(await watch.watch(path, {}, (type: string, obj: KubernetesObject) => {
        if (type === 'DELETED') deletions.push({ kind, name: obj.metadata!.name!, rv: Number(obj.metadata!.resourceVersion), at: Date.now() });
      }, () => undefined));
    }
    // A generous drain cap, so only the pool's terminationGracePeriod bounds the drain.
    await world.startController({ drainTimeoutMs: 60_000 });
  });

  afterAll(async () => {
    for (const w of watches) w.abort();
    await world?.stop();
  });

  /** A claim whose machine joined the tenant as Node `host`, Available. */
  async function availableClaim(annotations: Record<string, string> = {}): Promise<{ name: string; uid: string; host: string }> {
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const name = c.metadata.name!;
    const uid = c.metadata.uid!;
    if (Object.keys(annotations).length) {
      await h.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'nodeclaims', name, body: { metadata: { annotations } } }, MERGE);
    }
    await waitFor(() => provider.nodes.has(uid), { what: 'createNode' });
    const host = provider.nodes.get(uid)!.machine.name;
    provider.setPhase(uid, 'Provisioned');
    await joinTenantNode(h, host);
    await waitFor(async () => (await getClaim(h, name))?.status?.phase === 'Available', { what: 'phase Available' });
    return { name, uid, host };
  }

  async function runPod(name: string, node: string, meta: Record<string, unknown> = {}): Promise<void> {
    await h.tenantCore.createNamespacedPod({ namespace: 'default', body: { metadata: { name, ...meta }, spec: { nodeName: node, containers: [{ name: 'app', image: 'app' }] } } });
    await h.tenantCore.patchNamespacedPodStatus({ namespace: 'default', name, body: { status: { phase: 'Running' } } }, MERGE);
  }

  const podNames = async () => (await h.tenantCore.listNamespacedPod({ namespace: 'default' })).items.map((p) => p.metadata!.name!).sort();
  const nodeExists = async (name: string) => (await h.tenantCore.listNode()).items.some((n) => n.metadata!.name === name);
  const deletionOf = (kind: Deletion['kind'], name: string) => deletions.find((d) => d.kind === kind && d.name === name);

  it('evicts ordinary pods, leaves the DaemonSet pod, deletes the Node after them and before deleteNode', async () => {
    const claim = await availableClaim();
    await runPod('web-1', claim.host);
    await runPod('web-2', claim.host);
    await runPod('agent-1', claim.host, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }] });
    await runPod('bystander', 'some-other-node');
    let nodeGoneAtDeleteNode: boolean | undefined;
    provider.beforeDelete = async (c) => {
      if (c.uid === claim.uid && nodeGoneAtDeleteNode === undefined) nodeGoneAtDeleteNode = !(await nodeExists(claim.host));
    };

    await deleteClaim(h, claim.name);
    await waitFor(async () => !(await getClaim(h, claim.name)), { what: 'claim gone', timeoutMs: 15_000 });
    provider.beforeDelete = undefined;

    expect(await podNames()).toEqual(['agent-1', 'bystander']);
    const node = await waitFor(() => deletionOf('Node', claim.host), { what: 'Node DELETED event' });
    for (const pod of ['web-1', 'web-2']) expect(deletionOf('Pod', pod)!.rv).toBeLessThan(node.rv);
    expect(nodeGoneAtDeleteNode).toBe(true);
    expect(h.events.reasonsFor(claim.name)).toEqual(expect.arrayContaining(['Releasing', 'NodeDeleted', 'Released']));
    expect(h.events.reasonsFor(claim.name)).not.toContain('DrainTimeout');
  });

  it('keeps the Node while a PodDisruptionBudget refuses eviction, until the terminationGracePeriod elapses', async () => {
    const claim = await availableClaim({ [TERMINATION_GRACE_ANNOTATION]: '2s' });
    await runPod('db-1', claim.host, { labels: { app: 'db' } });
    await h.tenant.kubeConfig().makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({
      namespace: 'default', body: { metadata: { name: 'db' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } },
    });

    await deleteClaim(h, claim.name);
    const draining = await waitFor(async () => {
      const c = await getClaim(h, claim.name);
      return condition(c, 'Destroyed')?.reason === 'Draining' && c;
    }, { what: 'Destroyed=False/Draining' });
    expectClaimCondition(draining, 'Destroyed', { message: `waiting for 1 pod(s) to leave node ${claim.host}` });
    expect(await nodeExists(claim.host)).toBe(true);
    expect((await h.tenantCore.readNode({ name: claim.host })).spec?.unschedulable).toBe(true);
    expect(provider.deleteCalls.filter((c) => c.claim.uid === claim.uid)).toHaveLength(0);

    await waitFor(async () => !(await getClaim(h, claim.name)), { what: 'claim gone', timeoutMs: 15_000 });
    const node = await waitFor(() => deletionOf('Node', claim.host), { what: 'Node DELETED event' });
    // The drain clock starts at the claim's deletionTimestamp (whole seconds), so this bound is exact.
    expect(node.at).toBeGreaterThanOrEqual(new Date(draining.metadata.deletionTimestamp!).getTime() + 2000);
    expect(await podNames()).toContain('db-1');
    expect(h.events.reasonsFor(claim.name)).toEqual(expect.arrayContaining(['DrainTimeout', 'NodeDeleted', 'Released']));
    const deleteCall = provider.deleteCalls.find((c) => c.claim.uid === claim.uid)!;
    expect(deleteCall.at).toBeGreaterThanOrEqual(node.at);
  });

  it('skips eviction with vcluster.com/skip-node-drain and still deletes the Node', async () => {
    const claim = await availableClaim({ [SKIP_DRAIN_ANNOTATION]: 'true' });
    await runPod('keep-1', claim.host);

    await deleteClaim(h, claim.name);
    await waitFor(async () => !(await getClaim(h, claim.name)), { what: 'claim gone', timeoutMs: 15_000 });

    expect(await podNames()).toContain('keep-1');
    expect(deletionOf('Pod', 'keep-1')).toBeUndefined();
    expect(await waitFor(() => deletionOf('Node', claim.host), { what: 'Node DELETED event' })).toBeTruthy();
    expect(h.events.reasonsFor(claim.name)).toEqual(expect.arrayContaining(['NodeDeleted', 'Released']));
  });
});
