import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NodeClaim } from '../../../platform/nodeClaims/types.js';
import type { FakeProvider } from '../support/fakeProvider.js';
import { startClaimControllerWorld, type ClaimControllerWorld } from '../support/claimControllerWorld.js';
import { GROUP, VERSION, type Harness } from '../support/harness.js';
import { condition, createClaim, getClaim } from '../support/objects.js';
import { setProject } from '../support/vcis.js';
import { sleep, waitFor } from '../../support/waitFor.js';

/** The harness's namespace p-test belongs to Project "test". */
const PROJECT = 'test';

describe('a Project’s allowedNodeTypes', () => {
  let world: ClaimControllerWorld;
  let h: Harness;
  let provider: FakeProvider;

  const scheduled = (name: string) => waitFor(async () => {
    const c = await getClaim(h, name);
    return condition(c, 'Scheduled') && c;
  }, { what: `${name} Scheduled condition` });
  const launchedFor = (c: NodeClaim) => provider.createCalls.filter((x) => x.claim.uid === c.metadata.uid);

  beforeAll(async () => {
    world = await startClaimControllerWorld({
      provider: { machines: 20 }, nodeTypes: { small: { cost: 10 }, large: { cost: 50 }, 'other.cheap': { cost: 1 } }, controller: false,
    });
    ({ h, provider } = world);
    await h.mgmtCore.createNamespace({ body: { metadata: { name: 'p-elsewhere' } } });
    await world.startController();
  });

  beforeEach(async () => setProject(h, PROJECT, {}));

  afterAll(() => world?.stop());

  it('schedules a claim only among the node types its Project allows', async () => {
    await setProject(h, PROJECT, { allowedNodeTypes: [{ name: 'm3.large' }] });
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const s = await scheduled(c.metadata.name!);
    expect(condition(s, 'Scheduled')?.status).toBe('True');
    expect(s.spec.typeRef).toBe('m3.large');
  });

  it('takes "<provider>.*" as every type of that provider, and a Project without the list as every type', async () => {
    await setProject(h, PROJECT, { allowedNodeTypes: [{ name: 'm3.*' }] });
    expect((await scheduled((await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' })).metadata.name!)).spec.typeRef).toBe('m3.small');
    await setProject(h, PROJECT, { displayName: 'no list' });
    expect((await scheduled((await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' })).metadata.name!)).spec.typeRef).toBe('m3.small');
  });

  it('keeps a claim Pending with Scheduled=False/NodeTypeNotAllowed when the Project allows none ([]), and never launches it', async () => {
    await setProject(h, PROJECT, { allowedNodeTypes: [] });
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const s = await scheduled(c.metadata.name!);
    expect(condition(s, 'Scheduled')).toMatchObject({ status: 'False', reason: 'NodeTypeNotAllowed' });
    expect(condition(s, 'Scheduled')?.message).toBe('no node type that matches is allowed in project test: m3.small would fit but spec.allowedNodeTypes is [] (none)');
    expect(s.status?.phase).toBe('Pending');
    expect(s.spec.typeRef).toBeUndefined();
    expect(h.events.reasonsFor(c.metadata.name!)).toContain('NodeTypeNotAllowed');
    await sleep(200);
    expect(launchedFor(c)).toHaveLength(0);
  });

  it('refuses a claim naming a typeRef its Project does not allow, naming the field, and never launches it', async () => {
    await setProject(h, PROJECT, { allowedNodeTypes: [{ name: 'm3.small' }] });
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1', typeRef: 'm3.large' });
    const refused = await waitFor(async () => {
      const x = await getClaim(h, c.metadata.name!);
      return x?.status?.phase === 'Failed' && x;
    }, { what: 'claim refused' });
    expect(refused.status?.reason).toBe('NodeTypeNotAllowed');
    expect(condition(refused, 'Scheduled')).toMatchObject({
      status: 'False', reason: 'NodeTypeNotAllowed',
      message: `NodeClaim p-test/${c.metadata.name}: spec.typeRef: node type m3.large is not allowed in project test (spec.allowedNodeTypes: m3.small)`,
    });
    await sleep(200);
    expect(launchedFor(c)).toHaveLength(0);
  });

  it.each([
    ['a wildcard in the middle', 'm3.*-gpu', 'spec.allowedNodeTypes[0].name: "m3.*-gpu": the only wildcard is ".*" after a provider name'],
    ['a bare wildcard', '*', 'spec.allowedNodeTypes[0].name: "*": the only wildcard is ".*" after a provider name'],
    ['an empty name', '', 'spec.allowedNodeTypes[0].name: required'],
  ])('reports an invalid pattern (%s) naming the Project and field, and leaves other projects alone', async (_what, pattern, expected) => {
    await setProject(h, PROJECT, { allowedNodeTypes: [{ name: pattern }] });
    const c = await createClaim(h, { providerRef: 'm3', vClusterRef: 'vc1' });
    const s = await scheduled(c.metadata.name!);
    expect(condition(s, 'Scheduled')).toMatchObject({ status: 'False', reason: 'InvalidProject' });
    expect(condition(s, 'Scheduled')?.message).toContain(`Project test: ${expected}`);

    const elsewhere = (await h.custom.createNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: 'p-elsewhere', plural: 'nodeclaims',
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'NodeClaim', metadata: { generateName: 'claim-' }, spec: { providerRef: 'm3' } },
    })) as NodeClaim;
    const other = await waitFor(async () => {
      const x = (await h.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: 'p-elsewhere', plural: 'nodeclaims', name: elsewhere.metadata.name! })) as NodeClaim;
      return condition(x, 'Scheduled') && x;
    }, { what: 'claim in another project scheduled' });
    expect(other.spec.typeRef).toBe('m3.small');
  });
});
