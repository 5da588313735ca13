import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAutoNodesController } from '../../../platform/autoNodes/index.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { startHarness, type Harness } from '../support/harness.js';
import { createVci, liveClaimsOf, setProject, setVciValues, vciCondition, vciValues } from '../support/vcis.js';
import { sleep, waitFor } from '../../support/waitFor.js';

const pool = (name: string, quantity: number) => ({ name, quantity });

describe('a Project’s machine quotas', () => {
  let h: Harness;
  let controller: { stop(): Promise<void> };
  const count = async (ns: string, vci: string) => (await liveClaimsOf(h, ns, vci)).length;
  const settled = async (ns: string, vci: string, n: number) => {
    await waitFor(async () => (await count(ns, vci)) === n, { what: `${vci}: ${n} claim(s)` });
    await sleep(300);
    expect(await count(ns, vci)).toBe(n);
  };

  beforeAll(async () => {
    h = await startHarness();
    h.providers.map.set('m3', new FakeProvider());
    h.providers.map.set('gpu', new FakeProvider());
    for (const ns of ['p-team', 'p-split', 'p-broken']) await h.mgmtCore.createNamespace({ body: { metadata: { name: ns } } });
    controller = await startAutoNodesController(h.deps());
  });

  afterAll(async () => {
    await controller?.stop();
    await h?.close();
  });

  it('stops at the project’s nodeclaims limit, says so on the VCI and in an event, and resumes when room appears', async () => {
    await setProject(h, 'team', { quotas: { project: { nodeclaims: '3' } } });
    await createVci(h, 'p-team', 'first', [{ provider: 'm3', static: [pool('a', 2)] }]);
    await settled('p-team', 'first', 2);
    await createVci(h, 'p-team', 'second', [{ provider: 'm3', static: [pool('b', 2)] }]);
    await settled('p-team', 'second', 1);

    const refused = await waitFor(async () => {
      const c = await vciCondition(h, 'p-team', 'second', 'WithinQuota');
      return c?.status === 'False' && c;
    }, { what: 'WithinQuota=False' });
    expect(refused.reason).toBe('QuotaExceeded');
    expect(refused.message).toBe('cannot create nodeclaim, because project nodeclaims limit of 3 would be exceeded (pool b: 1 of 2 node(s) exist)');
    expect(h.events.events).toContainEqual(expect.objectContaining({
      type: 'Warning', reason: 'QuotaExceeded',
      message: 'VirtualClusterInstance p-team/second: cannot create nodeclaim, because project nodeclaims limit of 3 would be exceeded (pool b: 1 of 2 node(s) exist)',
    }));

    await setVciValues(h, 'p-team', 'first', vciValues([{ provider: 'm3', static: [pool('a', 1)] }]));
    await settled('p-team', 'second', 2);
    expect(await count('p-team', 'first')).toBe(1);
    expect((await vciCondition(h, 'p-team', 'second', 'WithinQuota'))?.status).toBe('True');

    await setProject(h, 'team', { quotas: { project: { nodeclaims: '4' } } });
    await setVciValues(h, 'p-team', 'first', vciValues([{ provider: 'm3', static: [pool('a', 5)] }]));
    await settled('p-team', 'first', 2);
  });

  it('limits each provider with nodeclaims.provider=<name> without holding back the others', async () => {
    await setProject(h, 'split', { quotas: { project: { 'nodeclaims.provider=gpu': '1', 'virtualclusterinstances': '9' } } });
    await createVci(h, 'p-split', 'mixed', [{ provider: 'gpu', static: [pool('g', 3)] }, { provider: 'm3', static: [pool('c', 2)] }]);
    await waitFor(async () => (await count('p-split', 'mixed')) === 3, { what: '1 gpu + 2 m3 claims' });
    const claims = await liveClaimsOf(h, 'p-split', 'mixed');
    expect(claims.filter((c) => c.spec.providerRef === 'gpu')).toHaveLength(1);
    expect(claims.filter((c) => c.spec.providerRef === 'm3')).toHaveLength(2);
    const c = await waitFor(() => vciCondition(h, 'p-split', 'mixed', 'WithinQuota'), { what: 'WithinQuota' });
    expect(c.message).toBe('cannot create nodeclaim, because project nodeclaims.provider=gpu limit of 1 would be exceeded (pool g: 1 of 3 node(s) exist)');
  });

  it.each([
    ['a word', { nodeclaims: 'lots' }, 'spec.quotas.project["nodeclaims"]: "lots" is not a non-negative whole number of machines'],
    ['a negative number', { nodeclaims: '-1' }, 'spec.quotas.project["nodeclaims"]: "-1" is not a non-negative whole number of machines'],
    ['no provider name', { 'nodeclaims.provider=': '2' }, 'spec.quotas.project["nodeclaims.provider="]: names no provider'],
  ])('refuses to create claims under a quota value that is %s, naming the Project and field, and keeps the existing ones', async (_what, quota, expected) => {
    await setProject(h, 'broken', {});
    const vci = `broken-${Math.random().toString(36).slice(2, 7)}`;
    await createVci(h, 'p-broken', vci, [{ provider: 'm3', static: [pool('x', 1)] }]);
    await settled('p-broken', vci, 1);
    const before = (await liveClaimsOf(h, 'p-broken', vci)).map((c) => c.metadata.uid);

    await setProject(h, 'broken', { quotas: { project: quota } });
    await setVciValues(h, 'p-broken', vci, vciValues([{ provider: 'm3', static: [pool('x', 2)] }]));
    const c = await waitFor(async () => {
      const x = await vciCondition(h, 'p-broken', vci, 'WithinQuota');
      return x?.status === 'False' && x;
    }, { what: 'WithinQuota=False' });
    expect(c.reason).toBe('InvalidProject');
    expect(c.message).toContain(`Project broken: ${expected}`);
    expect(h.events.events.some((e) => e.ref.name === vci && e.reason === 'InvalidProject' && e.message.includes('Project broken: spec.quotas.project'))).toBe(true);
    await sleep(300);
    expect((await liveClaimsOf(h, 'p-broken', vci)).map((x) => x.metadata.uid)).toEqual(before);
  });
});
