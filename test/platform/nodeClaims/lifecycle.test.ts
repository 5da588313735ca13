import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidConfigurationError } from '../../../plugin/contract.js';
import type { FakeProvider } from '../support/fakeProvider.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import type { Harness } from '../support/harness.js';
import { joinedClaim } from '../support/joined.js';
import {
  condition, createClaim, deleteClaim, getClaim, joinTenantNode, tokenSecrets,
} from '../support/objects.js';
import { sleep, waitFor } from '../../support/waitFor.js';
import { expectClaimCondition } from '../../support/expectations.js';

describe('NodeClaim lifecycle against the lab API', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;

  beforeAll(async () => {
    world = await startClaimControllerWorld({
      provider: { machines: 3 },
      nodeTypes: {
        small: { cost: 10 },
        large: { cost: 50, resources: { cpu: '64', memory: '256Gi' } },
        gpu: { cost: 1, resources: { cpu: '8', memory: '32Gi', 'nvidia.com/gpu': '8' } },
        'other.cheap': { cost: 1 },
      },
    });
    ({ h, provider } = world);
  });

  afterAll(() => world?.stop());

  it('goes Pending → Scheduled → Provisioned → Joined → Available with a per-claim token', async () => {
    const created = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const name = created.metadata.name!;
    const uid = created.metadata.uid!;

    const scheduled = await waitFor(async () => {
      const c = await getClaim(h, name);
      return condition(c, 'Scheduled')?.status === 'True' && c;
    }, { what: 'Scheduled=True' });
    expect(scheduled.spec.typeRef).toBe('m3.small');
    expect(scheduled.metadata.finalizers).toContain('platform.vcluster.com/node-claim');

    const call = await waitFor(() => provider.createCalls.find((c) => c.claim.uid === uid), { what: 'createNode' });
    expect(call.claim).toMatchObject({ name, namespace: 'p-test', nodeType: 'small', vClusterRef: 'vc1' });
    expect(call.join?.caCertHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(call.join?.caCertPem).toBe(h.caPem);

    const secrets = await tokenSecrets(h, uid);
    expect(secrets).toHaveLength(1);
    const s = secrets[0];
    const data = (k: string) => Buffer.from(s.data![k], 'base64').toString();
    expect(s.type).toBe('bootstrap.kubernetes.io/token');
    expect(s.metadata!.name).toBe(`bootstrap-token-${data('token-id')}`);
    expect(s.metadata!.labels).toMatchObject({ 'vcluster.loft.sh/token': 'true', 'vcluster.loft.sh/token-node-type': 'worker' });
    expect(call.join?.token).toBe(`${data('token-id')}.${data('token-secret')}`);
    expect(data('token-id')).toMatch(/^[a-z0-9]{6}$/);
    expect(data('token-secret')).toMatch(/^[a-z0-9]{16}$/);
    expect(data('usage-bootstrap-authentication')).toBe('true');
    expect(data('auth-extra-groups')).toBe('system:bootstrappers:kubeadm:default-node-token');
    const ttl = (new Date(data('expiration')).getTime() - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);

    await waitFor(async () => condition(await getClaim(h, name), 'Provisioned')?.reason === 'Provisioning', { what: 'Provisioned=False/Provisioning' });
    const host = provider.nodes.get(uid)!.machine.name;
    provider.setPhase(uid, 'Provisioned');
    const provisioned = await waitFor(async () => {
      const c = await getClaim(h, name);
      return condition(c, 'Provisioned')?.status === 'True' && condition(c, 'Joined')?.reason === 'WaitingForNode' && c;
    }, { what: 'Provisioned=True, waiting for node' });
    expect(provisioned.status?.phase).toBe('Pending');

    await joinTenantNode(h, host);
    const available = await waitFor(async () => {
      const c = await getClaim(h, name);
      return c?.status?.phase === 'Available' && c;
    }, { what: 'phase Available' });
    expectClaimCondition(available, 'Joined', { status: 'True', reason: 'Joined' });
    for (const cond of available.status!.conditions!) {
      expect(cond.lastTransitionTime).toBeTruthy();
      expect(cond.reason).toBeTruthy();
    }
    expect(h.events.reasonsFor(name)).toEqual(expect.arrayContaining(['Scheduled', 'TokenIssued', 'Provisioning', 'Provisioned', 'Joined']));
    expect(h.metrics.durations.map((d) => d.step)).toEqual(expect.arrayContaining(['scheduled', 'provisioned', 'joined']));
    await waitFor(() => (h.metrics.phases.get('m3')?.Available ?? 0) >= 1, { what: 'claims-by-phase metric' });
    expect(h.metrics.calls).toContainEqual({ provider: 'm3', method: 'createNode', outcome: 'ok' });
    const allLogs = h.logger.lines.join('\n') + JSON.stringify(h.events.events);
    expect(allLogs).not.toContain(data('token-secret'));
  });

  it('never picks another provider’s type or an unrequested GPU type, and honours requirements', async () => {
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1', requirements: [{ key: 'vcluster.com/node-type', operator: 'In', values: ['large'] }] });
    await waitFor(async () => (await getClaim(h, c.metadata.name!))?.spec.typeRef === 'm3.large', { what: 'typeRef m3.large' });
    await deleteClaim(h, c.metadata.name!);
    await waitFor(async () => !(await getClaim(h, c.metadata.name!)), { what: 'claim gone' });
  });

  it('stays Pending with NoMatchingNodeType and never calls createNode', async () => {
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1', requirements: [{ key: 'gpu-model', operator: 'In', values: ['h100'] }] });
    const pending = await waitFor(async () => {
      const got = await getClaim(h, c.metadata.name!);
      return condition(got, 'Scheduled')?.reason === 'NoMatchingNodeType' && got;
    }, { what: 'NoMatchingNodeType' });
    expect(pending.status?.phase).toBe('Pending');
    expect(pending.status?.message).toContain('gpu-model In [h100]');
    await sleep(300);
    expect(provider.createCalls.filter((x) => x.claim.uid === c.metadata.uid)).toHaveLength(0);
    expect(h.events.reasonsFor(c.metadata.name!).filter((r) => r === 'NoMatchingNodeType')).toHaveLength(1);
    await deleteClaim(h, c.metadata.name!);
    await waitFor(async () => !(await getClaim(h, c.metadata.name!)), { what: 'claim gone' });
  });

  it('backs off on InsufficientCapacity without churn, then launches when a machine frees up', async () => {
    provider.machines = provider.nodes.size;
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const uid = c.metadata.uid!;
    await waitFor(async () => condition(await getClaim(h, c.metadata.name!), 'Provisioned')?.reason === 'InsufficientCapacity', { what: 'InsufficientCapacity' });
    const start = provider.createCalls.filter((x) => x.claim.uid === uid).length;
    await sleep(1500);
    const calls = provider.createCalls.filter((x) => x.claim.uid === uid).length - start;
    // Backoff 100→200→400→800→800 ms gives at most ~5 calls in 1.5 s; a 50 ms poll would give ~30.
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(6);
    expect(provider.deleteCalls.filter((x) => x.claim.uid === uid)).toHaveLength(0);
    const still = await getClaim(h, c.metadata.name!);
    expect(still?.metadata.uid).toBe(uid);
    expect(still?.status?.phase).toBe('Pending');
    expect(await tokenSecrets(h, uid)).toHaveLength(1);

    provider.machines += 1;
    await waitFor(() => provider.nodes.has(uid), { what: 'launched after capacity frees', timeoutMs: 5000 });
    await deleteClaim(h, c.metadata.name!);
    await waitFor(async () => !(await getClaim(h, c.metadata.name!)), { what: 'claim gone' });
  });

  it('marks a claim Failed from the provider’s error and never replaces it', async () => {
    provider.machines = 10;
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const uid = c.metadata.uid!;
    await waitFor(() => provider.nodes.has(uid), { what: 'launched' });
    provider.setPhase(uid, 'Failed', { reason: 'provisioning error', message: 'Image checksum mismatch' });
    const failed = await waitFor(async () => {
      const got = await getClaim(h, c.metadata.name!);
      return got?.status?.phase === 'Failed' && got;
    }, { what: 'phase Failed' });
    expect(failed.status).toMatchObject({ reason: 'provisioning error', message: 'Image checksum mismatch' });
    expectClaimCondition(failed, 'Provisioned', { status: 'False', reason: 'provisioning error' });
    expect(h.events.events.some((e) => e.ref.name === c.metadata.name && e.type === 'Warning' && e.reason === 'Failed')).toBe(true);
    const calls = provider.createCalls.filter((x) => x.claim.uid === uid).length;
    await sleep(400);
    expect(provider.createCalls.filter((x) => x.claim.uid === uid)).toHaveLength(calls);
    expect((await getClaim(h, c.metadata.name!))?.status?.phase).toBe('Failed');
    await deleteClaim(h, c.metadata.name!);
    await waitFor(async () => !(await getClaim(h, c.metadata.name!)), { what: 'failed claim released on delete' });
  });

  it('fails a claim the provider rejects as misconfigured, naming the field', async () => {
    provider.nextCreateError = new InvalidConfigurationError('OSImage/ubuntu', 'spec.properties[metal3.vcluster.com/image-url]', 'required');
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const failed = await waitFor(async () => {
      const got = await getClaim(h, c.metadata.name!);
      return got?.status?.phase === 'Failed' && got;
    }, { what: 'phase Failed' });
    expect(failed.status?.reason).toBe('InvalidConfiguration');
    expect(failed.status?.message).toContain('spec.properties[metal3.vcluster.com/image-url]');
    await deleteClaim(h, c.metadata.name!);
    await waitFor(async () => !(await getClaim(h, c.metadata.name!)), { what: 'claim gone' });
  });

  it('terminates in order: drain, delete the Node, revoke the token, release, then drop the finalizer', async () => {
    // No pods run on this Node; eviction through the Eviction API is covered by drain.test.ts.
    provider.machines = Math.max(provider.machines, provider.nodes.size + 1);
    const joined = await joinedClaim(h, provider, { providerRef: 'm3', vClusterRef: 'vc1' });
    const seen: { nodeGone: boolean; tokens: number; claimHasFinalizer: boolean }[] = [];
    provider.beforeDelete = async (claim) => {
      if (claim.uid !== joined.uid) return;
      const nodes = (await h.tenantCore.listNode()).items.map((n) => n.metadata!.name);
      const claim_ = await getClaim(h, joined.name);
      seen.push({
        nodeGone: !nodes.includes(joined.node),
        tokens: (await tokenSecrets(h, joined.uid)).length,
        claimHasFinalizer: !!claim_?.metadata.finalizers?.includes('platform.vcluster.com/node-claim'),
      });
    };
    await deleteClaim(h, joined.name);
    await waitFor(async () => !(await getClaim(h, joined.name)), { what: 'claim gone', timeoutMs: 15_000 });
    provider.beforeDelete = undefined;
    expect(seen.length).toBeGreaterThanOrEqual(2); // Releasing, then Released
    for (const s of seen) expect(s).toEqual({ nodeGone: true, tokens: 0, claimHasFinalizer: true });
    expect(provider.nodes.has(joined.uid)).toBe(false);
    expect(h.events.reasonsFor(joined.name)).toEqual(expect.arrayContaining(['Releasing', 'NodeDeleted', 'TokenRevoked', 'Released']));
  });
});
