/**
 * The same claim on two replicas at the same moment (a paused leader overlapping its successor),
 * through the lab API over real HTTP with a gate proxy holding one replica's requests so that the
 * two windows left open by the reliability work happen exactly:
 * 1. a record moved off a host that was released and re-claimed for this claim in between;
 * 2. a failure clean-up racing another replica's winning write.
 * 3. the record moved to another host between a replica's won host write and its record check (a
 *    metadata-only read): the replica gives its host back and follows the record.
 * Either way the claim must end holding at most one host, and a host it holds must have its data
 * Secret and IP reservation.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NodeClaimView, PluginActivation } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { startGateProxy, type GateProxy } from '../support/gateProxy.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { CPU_HOST, providerConfig, recordingHost, seedPlatformObjects } from '../providers/helpers.js';
import { aClaim, JOIN } from '../support/builders.js';
import { waitFor } from '../support/waitFor.js';

const CLAIM_LABEL = 'metal3.vcluster.com/node-claim';
const HOST_ANNOTATION = 'metal3.vcluster.com/host';
const SERVER_NAME = 'metal3.vcluster.com/server-name';
const CLASSES = ['moved', 'cleanup', 'follow'] as const;

describe('the same claim on two replicas at once', () => {
  let lab: TestLab;
  let gate: GateProxy;
  /** Replica one talks to the API directly; replica two through the gate. */
  let one: PluginActivation;
  let two: PluginActivation;

  const config = () => providerConfig(lab.namespace, {
    properties: { 'vcluster.com/os-image': 'ubuntu-noble', 'metal3.vcluster.com/network-cidr': '10.60.0.1/24' },
    nodeTypes: CLASSES.map((c) => ({ name: c, resources: { cpu: '16' }, bareMetalHosts: { selector: { matchLabels: { 'hardware-class': c } } } })),
  });
  const recordName = (claim: NodeClaimView) => `${claim.name}-${claim.uid.replace(/[^a-z0-9]/gi, '').slice(0, 8).toLowerCase()}`;
  const byClaim = (claim: NodeClaimView) => ({ namespace: lab.namespace, labelSelector: `${CLAIM_LABEL}=${claim.uid}` });
  const hostsOf = async (claim: NodeClaimView) => ((await lab.custom.listNamespacedCustomObject({
    group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', ...byClaim(claim),
  })) as { items: { metadata: { name: string }; spec: { userData?: { name: string } } }[] }).items;
  const secretsOf = async (claim: NodeClaimView) => (await lab.core.listNamespacedSecret(byClaim(claim))).items;
  const reservationsOf = async (claim: NodeClaimView) => (await lab.core.listNamespacedConfigMap(byClaim(claim))).items;
  const isPath = (method: string, resource: string) => (m: string, path: string) => m === method && path.includes(`/${resource}`);

  /** What must hold whatever the interleaving: at most one host, and a held host has its record and IP. */
  async function expectConsistent(claim: NodeClaimView): Promise<void> {
    const hosts = await hostsOf(claim);
    expect(hosts.map((h) => h.metadata.name)).toHaveLength(Math.min(hosts.length, 1));
    if (hosts.length === 0) return;
    const secrets = await secretsOf(claim);
    expect(secrets.map((s) => s.metadata?.name)).toContain(hosts[0].spec.userData?.name);
    expect(await reservationsOf(claim)).toHaveLength(1);
  }

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    for (const c of CLASSES) for (let i = 1; i <= 3; i++) await lab.createHost(`${c}-${i}`, { ...CPU_HOST, labels: { 'hardware-class': c } });
    gate = await startGateProxy({ target: lab.api });
    one = await activate({ ...recordingHost(lab.kc), replicaId: 'one' });
    two = await activate({ ...recordingHost(gate.kubeConfig), replicaId: 'two' });
    for (const r of [one, two]) await r.provider.configure(config());
    await waitFor(async () => (await Promise.all([one, two].map((r) => r.provider.nodeTypes())))
      .every((types) => types.every((t) => t.capacity.total === 3)), { what: 'both replicas see 3 hosts per type' });
  });

  afterAll(async () => {
    await two?.dispose();
    await one?.dispose();
    await gate?.close();
    await lab?.close();
  });

  it('a record moved off a host that was released and re-claimed in between leaves the claim one host', async () => {
    // Another claim holds moved-1; this claim's record (left by a replica that chose moved-1 earlier) names it.
    const other = aClaim({ nodeType: 'moved', properties: { [SERVER_NAME]: 'moved-1' } });
    expect((await one.provider.createNode(other, JOIN)).machine.name).toBe('moved-1');
    const claim = aClaim({ nodeType: 'moved' });
    await lab.core.createNamespacedSecret({
      namespace: lab.namespace,
      body: {
        metadata: { name: recordName(claim), labels: { 'app.kubernetes.io/managed-by': 'metal3-provider', [CLAIM_LABEL]: claim.uid }, annotations: { [HOST_ANNOTATION]: 'moved-1' } },
        stringData: { userData: '#cloud-config\n', networkData: '{}' },
      },
    });

    // Replica two sees moved-1 taken and moves the record to another host: that write is held.
    const moving = gate.hold(isPath('PUT', `secrets/${recordName(claim)}`));
    const second = two.provider.createNode(claim, JOIN);
    const held = await moving;

    // Meanwhile moved-1 is released and replica one claims it for this claim, following the record.
    expect((await one.provider.deleteNode(other)).phase).toBe('Releasing');
    await lab.setHostState('moved-1', 'available');
    await waitFor(async () => (await one.provider.deleteNode(other)).phase === 'Released', { what: 'the other claim released' });
    expect((await one.provider.createNode(claim, JOIN)).machine.name).toBe('moved-1');

    await held.release();
    const answer = await second;
    expect(answer.machine.name).toBe('moved-1');
    expect((await hostsOf(claim)).map((h) => h.metadata.name)).toEqual(['moved-1']);
    expect((await secretsOf(claim)).map((s) => s.metadata?.annotations?.[HOST_ANNOTATION])).toEqual(['moved-1']);
    await expectConsistent(claim);
  });

  it('a record moved to another host between the won write and the record check makes the replica give its host back and follow the record', async () => {
    const claim = aClaim({ nodeType: 'follow' });
    // Replica two writes a host for the claim; its record check (the GET after the won write) is held.
    const checking = gate.hold(isPath('GET', `secrets/${recordName(claim)}`));
    const creating = two.provider.createNode(claim, JOIN);
    const held = await checking;
    const [first] = (await hostsOf(claim)).map((h) => h.metadata.name);
    expect(first).toMatch(/^follow-/);

    // Meanwhile the record is moved to another free host, as the same claim on another replica does.
    const other = ['follow-1', 'follow-2', 'follow-3'].find((name) => name !== first)!;
    const record = await lab.core.readNamespacedSecret({ namespace: lab.namespace, name: recordName(claim) });
    await lab.core.replaceNamespacedSecret({
      namespace: lab.namespace, name: recordName(claim),
      body: { ...record, metadata: { ...record.metadata, annotations: { ...record.metadata?.annotations, [HOST_ANNOTATION]: other } } },
    });

    await held.release();
    expect((await creating).machine.name).toBe(other);
    expect((await hostsOf(claim)).map((h) => h.metadata.name)).toEqual([other]);
    const given = await lab.getHost(first);
    expect(given.spec.consumerRef).toBeUndefined();
    expect(given.metadata.labels?.[CLAIM_LABEL]).toBeUndefined();
    await expectConsistent(claim);
  });

  it('a failure clean-up racing another replica’s winning write leaves no host without its record and IP', async () => {
    const claim = aClaim({ nodeType: 'cleanup' });
    // Replica two's host write fails (not a 409): it cleans up after itself; its first clean-up delete is held.
    const stopFailing = gate.fail(isPath('PUT', 'baremetalhosts'), 500);
    const cleaning = gate.hold(isPath('DELETE', ''));
    const failing = two.provider.createNode(claim, JOIN).then(() => 'created', (err: Error) => err.message);
    const held = await cleaning;
    stopFailing();

    // Meanwhile replica one wins a host for the same claim.
    const won = await one.provider.createNode(claim, JOIN);
    expect(won.machine.name).toMatch(/^cleanup-/);

    await held.release();
    expect(await failing).toMatch(/HTTP 500/);
    await expectConsistent(claim);

    // Whatever the race left, the claim converges to one complete host.
    const again = await one.provider.createNode(claim, JOIN);
    expect((await hostsOf(claim)).map((h) => h.metadata.name)).toEqual([again.machine.name]);
    await expectConsistent(claim);
  });
});
