/**
 * The claim's one data Secret as the per-claim lock, through the lab API over real HTTP: what an
 * uncontended claim writes, how a claim follows (or moves) a record another replica left, the same
 * claim on several replicas at once, and a host still held through the legacy two-Secret layout.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { V1Secret } from '@kubernetes/client-node';
import type { NodeClaimView, PluginActivation, ProviderConfig } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { chooseHost } from '../../providers/metal3/hosts/chooseHost.js';
import { startCrashProxy } from '../support/crash.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, recordingHost, seedPlatformObjects } from './helpers.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { aClaim, JOIN } from '../support/builders.js';

const CLAIM_LABEL = 'metal3.vcluster.com/node-claim';
const HOST_ANNOTATION = 'metal3.vcluster.com/host';
const CIDR = { 'metal3.vcluster.com/network-cidr': '10.40.0.1/24' };
const CLASSES = ['count', 'steer', 'move', 'many', 'legacy'] as const;

const config = (namespace: string, properties: Record<string, string> = CIDR): ProviderConfig =>
  providerConfig(namespace, {
    properties: { 'vcluster.com/os-image': 'ubuntu-noble', ...properties },
    nodeTypes: CLASSES.map((c) => ({ name: c, resources: { cpu: '16' }, bareMetalHosts: { selector: { matchLabels: { 'hardware-class': c } } } })),
  });

const recordName = (claim: NodeClaimView) => `${claim.name}-${claim.uid.replace(/[^a-z0-9]/gi, '').slice(0, 8).toLowerCase()}`;
const decode = (secret: V1Secret, key: string) => Buffer.from(secret.data?.[key] ?? '', 'base64').toString();

describe('the per-claim data Secret', () => {
  let lab: TestLab;
  let activation: PluginActivation;

  const secretsOf = async (claim: NodeClaimView) =>
    (await lab.core.listNamespacedSecret({ namespace: lab.namespace, labelSelector: `${CLAIM_LABEL}=${claim.uid}` })).items;
  const hostsOf = async (claim: NodeClaimView) =>
    ((await lab.custom.listNamespacedCustomObject({
      group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: lab.namespace, labelSelector: `${CLAIM_LABEL}=${claim.uid}`,
    })) as { items: { metadata: { name: string } }[] }).items.map((h) => h.metadata.name);

  /** A record as another replica would have left it: labelled for the claim, naming `host`, stale data. */
  const leaveRecord = (claim: NodeClaimView, host: string) =>
    lab.core.createNamespacedSecret({
      namespace: lab.namespace,
      body: {
        metadata: {
          name: recordName(claim),
          labels: { 'app.kubernetes.io/managed-by': 'metal3-provider', [CLAIM_LABEL]: claim.uid },
          annotations: { [HOST_ANNOTATION]: host },
        },
        stringData: { userData: '#cloud-config\n', networkData: '{}' },
      },
    });

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    const hosts = { count: 2, steer: 3, move: 3, many: 8, legacy: 1 };
    for (const [c, n] of Object.entries(hosts)) {
      for (let i = 1; i <= n; i++) await lab.createHost(`${c}-${i}`, { ...CPU_HOST, labels: { 'hardware-class': c } });
    }
    ({ activation } = await activateConfigured(lab, config(lab.namespace)));
    await waitFor(async () => (await activation.provider.nodeTypes()).every((t) => t.capacity.total === hosts[t.name as keyof typeof hosts]));
  });

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  it.each([
    { pool: 'with an IP pool', properties: CIDR, writes: ['POST configmaps', 'POST secrets', 'PUT baremetalhosts'] },
    { pool: 'without IPAM', properties: {}, writes: ['POST secrets', 'PUT baremetalhosts'] },
  ])('an uncontended createNode $pool writes only $writes', async ({ properties, writes }) => {
    const proxy = await startCrashProxy({ target: lab.api });
    const counted = await activate(recordingHost(proxy.kubeConfig));
    try {
      await counted.provider.configure(config(lab.namespace, properties));
      const claim = aClaim({ nodeType: 'count' });
      const state = await counted.provider.createNode(claim, JOIN);
      expect(proxy.writes.map((w) => `${w.method} ${/namespaces\/[^/]+\/([^/?]+)/.exec(w.path)?.[1]}`)).toEqual(writes);
      expect(proxy.writes.every((w) => w.status < 300)).toBe(true);
      const [secret] = await secretsOf(claim);
      expect(secret.metadata?.annotations?.[HOST_ANNOTATION]).toBe(state.machine.name);
    } finally {
      await counted.dispose();
      await proxy.close();
    }
  });

  it('a record another replica left naming a free host steers the claim to that host, with data rendered for it', async () => {
    const claim = aClaim({ nodeType: 'steer' });
    const names = ['steer-1', 'steer-2', 'steer-3'];
    const natural = chooseHost(names.map((name) => ({ metadata: { name } })), claim.uid)!.metadata.name;
    const named = names.find((n) => n !== natural)!;
    await leaveRecord(claim, named);

    expect((await activation.provider.createNode(claim, JOIN)).machine.name).toBe(named);
    expect(await hostsOf(claim)).toEqual([named]);
    const [secret, ...more] = await secretsOf(claim);
    expect(more).toHaveLength(0);
    expect(secret.metadata?.annotations?.[HOST_ANNOTATION]).toBe(named);
    expect(decode(secret, 'userData')).toMatch(/^#cloud-config\n[\s\S]*hostname/);
    expect(JSON.parse(decode(secret, 'networkData'))).toHaveProperty('links');
  });

  it('a record naming a host another claim holds is moved to a free host; the claim holds one host', async () => {
    const first = aClaim({ nodeType: 'move' });
    const taken = (await activation.provider.createNode(first, JOIN)).machine.name;
    const claim = aClaim({ nodeType: 'move' });
    await leaveRecord(claim, taken);
    const before = (await secretsOf(claim))[0].metadata?.resourceVersion;

    const { machine: { name: hostName } } = await activation.provider.createNode(claim, JOIN);
    expect(hostName).not.toBe(taken);
    expect(await hostsOf(claim)).toEqual([hostName]);
    expect(await hostsOf(first)).toEqual([taken]);
    const [secret, ...more] = await secretsOf(claim);
    expect(more).toHaveLength(0);
    expect(secret.metadata?.annotations?.[HOST_ANNOTATION]).toBe(hostName);
    expect(secret.metadata?.resourceVersion).not.toBe(before);
  });

  it('the same claims sent to three replicas at once: each claim holds one host, all replicas answer it', async () => {
    const replicas = await Promise.all(['r1', 'r2', 'r3'].map(async (id) => {
      const replica = await activate({ ...recordingHost(lab.api.kubeConfig({ name: `replica-${id}` })), replicaId: id });
      await replica.provider.configure(config(lab.namespace));
      return replica;
    }));
    try {
      await waitFor(async () => (await Promise.all(replicas.map((r) => r.provider.nodeTypes())))
        .every((types) => types.find((t) => t.name === 'many')?.capacity.total === 8));
      const claims = Array.from({ length: 6 }, () => aClaim({ nodeType: 'many' }));
      const answers = await Promise.all(claims.map((claim) => Promise.all(replicas.map((r) => r.provider.createNode(claim, JOIN)))));
      const held = new Set<string>();
      for (const [i, claim] of claims.entries()) {
        const hosts = await hostsOf(claim);
        expect({ claim: claim.name, hosts: hosts.length }).toEqual({ claim: claim.name, hosts: 1 });
        expect(answers[i].map((a) => a.machine.name)).toEqual([hosts[0], hosts[0], hosts[0]]);
        const secrets = await secretsOf(claim);
        expect(secrets.map((s) => s.metadata?.annotations?.[HOST_ANNOTATION])).toEqual([hosts[0]]);
        held.add(hosts[0]);
      }
      expect(held.size).toBe(claims.length);
    } finally {
      for (const replica of replicas) await replica.dispose();
    }
  });

  it('a host held through the legacy two-Secret layout is complete as it is: no write, no new Secret', async () => {
    const claim = aClaim({ nodeType: 'legacy' });
    const { machine: { name: hostName } } = await activation.provider.createNode(claim, JOIN);
    await lab.core.deleteNamespacedSecret({ namespace: lab.namespace, name: recordName(claim) });
    const labels = { 'app.kubernetes.io/managed-by': 'metal3-provider', [CLAIM_LABEL]: claim.uid };
    for (const [kind, key] of [['user-data', 'userData'], ['network-data', 'networkData']]) {
      await lab.core.createNamespacedSecret({
        namespace: lab.namespace,
        body: { metadata: { name: `${recordName(claim)}-${kind}`, labels }, stringData: { [key]: key === 'userData' ? '#cloud-config\n' : '{"links": []}' } },
      });
    }
    const legacy = await lab.patchHost(hostName, {
      spec: { userData: { name: `${recordName(claim)}-user-data`, namespace: lab.namespace }, networkData: { name: `${recordName(claim)}-network-data`, namespace: lab.namespace } },
    });
    await sleep(300); // the plugin's watch sees the patch

    expect((await activation.provider.createNode(claim, JOIN)).machine.name).toBe(hostName);
    expect((await lab.getHost(hostName)).metadata.resourceVersion).toBe(legacy.metadata.resourceVersion);
    expect((await secretsOf(claim)).map((s) => s.metadata?.name).sort()).toEqual([`${recordName(claim)}-network-data`, `${recordName(claim)}-user-data`]);
  });
});
