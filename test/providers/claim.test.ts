/**
 * createNode through the lab API over real HTTP: the claim write, idempotency, races, pinning and
 * capacity. Host status is driven by hand (no simulator), so each outcome is deterministic.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Watch } from '@kubernetes/client-node';
import { isInsufficientCapacity, type NodeProvider, type PluginActivation } from '../../plugin/contract.js';
import type { BareMetalHost } from '../../providers/metal3/types.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activate } from '../../plugin/index.js';
import { activateConfigured, CPU_HOST, providerConfig, recordingHost, seedPlatformObjects } from './helpers.js';
import { sleep, waitFor } from '../support/waitFor.js';
import { aClaim, JOIN, JOIN_TOKEN } from '../support/builders.js';
import { expectNothingLeftFor } from '../support/expectations.js';

const CLAIM_LABEL = 'metal3.vcluster.com/node-claim';
const nodeType = (name: string, hostClass: string, resources: Record<string, string> = { cpu: '16', memory: '64Gi' }) => ({
  name,
  resources,
  bareMetalHosts: { selector: { matchLabels: { 'hardware-class': hostClass } } },
});

const config = (namespace: string) =>
  providerConfig(namespace, {
    properties: {
      'vcluster.com/os-image': 'ubuntu-noble',
      'vcluster.com/ssh-keys': 'ops',
      'metal3.vcluster.com/network-cidr': '10.20.0.1/24',
      'metal3.vcluster.com/dns-servers': '1.1.1.1,8.8.8.8',
    },
    nodeTypes: [
      nodeType('single', 'single'),
      nodeType('race', 'race'),
      nodeType('bulk', 'bulk'),
      nodeType('pin', 'pin'),
      nodeType('gpu', 'cpu', { cpu: '16', 'nvidia.com/gpu': '8' }),
    ],
  });

describe('createNode', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  let provider: NodeProvider;
  let host: ReturnType<typeof recordingHost>;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    await lab.createHost('single-01', {
      ...CPU_HOST,
      labels: { 'hardware-class': 'single' },
      annotations: { 'metal3.vcluster.com/ip-address': '192.168.100.50/24' },
    });
    ({ activation, provider, host } = await activateConfigured(lab, config(lab.namespace)));
  });

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  it('claims a host in ONE guarded write carrying consumerRef, label, image, data Secrets and online', async () => {
    const events: BareMetalHost[] = [];
    const watch = await new Watch(lab.kc).watch(
      `/apis/metal3.io/v1alpha1/namespaces/${lab.namespace}/baremetalhosts`,
      { resourceVersion: (await lab.getHost('single-01')).metadata.resourceVersion },
      (type, obj: BareMetalHost) => type === 'MODIFIED' && obj.metadata.name === 'single-01' && events.push(obj),
      () => undefined,
    );
    const claim = aClaim({ nodeType: 'single' });
    const state = await provider.createNode(claim, JOIN);
    await waitFor(() => events.length >= 1);
    await sleep(100);
    watch.abort();

    expect(state).toMatchObject({ claimUid: claim.uid, machine: { name: 'single-01' }, phase: 'Claimed', nodeType: 'single' });
    expect(events).toHaveLength(1);
    const written = events[0];
    expect(written.metadata.labels?.[CLAIM_LABEL]).toBe(claim.uid);
    expect(written.spec.consumerRef).toMatchObject({ apiVersion: 'management.loft.sh/v1', kind: 'NodeClaim', name: claim.name, namespace: claim.namespace, uid: claim.uid });
    expect(written.spec.image).toMatchObject({ url: 'http://images.lab/ubuntu-noble.qcow2', checksumType: 'sha256' });
    expect(written.spec.online).toBe(true);
    // One data Secret per claim, `<claim>-<short uid>`, referenced by both fields.
    const dataSecret = `${claim.name}-${claim.uid.replace(/-/g, '').slice(0, 8)}`;
    expect(written.spec.userData).toEqual({ name: dataSecret, namespace: lab.namespace });
    expect(written.spec.networkData).toEqual({ name: dataSecret, namespace: lab.namespace });
    const annotations = written.metadata.annotations ?? {};
    expect(annotations['metal3.vcluster.com/ip-address']).toMatch(/^10\.20\.0\.\d+\/24$/);
    expect(annotations['metal3.vcluster.com/gateway']).toBe('10.20.0.1');
    expect(annotations['metal3.vcluster.com/dns-servers']).toBe('1.1.1.1,8.8.8.8');
    expect(JSON.parse(annotations['metal3.vcluster.com/original-network-annotations'])).toEqual({ 'metal3.vcluster.com/ip-address': '192.168.100.50/24' });
    expect(state.ip).toBe(annotations['metal3.vcluster.com/ip-address'].split('/')[0]);

    const secret = await lab.core.readNamespacedSecret({ namespace: lab.namespace, name: dataSecret });
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['networkData', 'userData']);
    expect(Buffer.from(secret.data!.userData, 'base64').toString()).toMatch(/^#cloud-config\n/);
    expect(JSON.parse(Buffer.from(secret.data!.networkData, 'base64').toString())).toHaveProperty('links');
    expect(secret.metadata?.labels?.[CLAIM_LABEL]).toBe(claim.uid);
    expect(secret.metadata?.labels?.['metal3.vcluster.com/node-claim-name']).toBe(claim.name);
    expect(secret.metadata?.annotations?.['metal3.vcluster.com/host']).toBe('single-01');
    const dataSecrets = await lab.core.listNamespacedSecret({ namespace: lab.namespace, labelSelector: `${CLAIM_LABEL}=${claim.uid}` });
    expect(dataSecrets.items.map((s) => s.metadata?.name)).toEqual([dataSecret]);

    expect(host.events.recorded).toContainEqual(expect.objectContaining({ reason: 'HostClaimed', object: expect.objectContaining({ kind: 'NodeClaim', uid: claim.uid }) }));
    expect(host.logger.lines.join('\n')).not.toContain(JOIN_TOKEN.split('.')[1]);
    expect(JSON.stringify(host.events.recorded)).not.toContain(JOIN_TOKEN.split('.')[1]);

    // Idempotent: the second call finds the host and writes nothing.
    const before = await lab.getHost('single-01');
    const again = await provider.createNode(claim, JOIN);
    expect(again.machine.name).toBe('single-01');
    expect((await lab.getHost('single-01')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('gives the last host to exactly one of two concurrent claims from two replicas', async () => {
    await lab.createHost('race-01', { ...CPU_HOST, labels: { 'hardware-class': 'race' } });
    const other = await activate(recordingHost(lab.kc));
    try {
      await other.provider.configure(config(lab.namespace));
      const claims = [aClaim({ nodeType: 'race' }), aClaim({ nodeType: 'race' })];
      const results = await Promise.allSettled([provider.createNode(claims[0], JOIN), other.provider.createNode(claims[1], JOIN)]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(isInsufficientCapacity(lost[0].reason)).toBe(true);
      const host = await lab.getHost('race-01');
      const winner = claims[results.indexOf(won[0])];
      const loser = claims[results.indexOf(lost[0])];
      expect(host.metadata.labels?.[CLAIM_LABEL]).toBe(winner.uid);
      await expectNothingLeftFor(lab, loser.uid);
    } finally {
      await other.dispose();
    }
  });

  it('spreads 20 concurrent claims over 20 hosts with 20 distinct IPs', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `bulk-${String(i).padStart(2, '0')}`);
    await Promise.all(names.map((name) => lab.createHost(name, { ...CPU_HOST, labels: { 'hardware-class': 'bulk' } })));
    await waitFor(async () => (await provider.nodeTypes()).find((t) => t.name === 'bulk')?.capacity.total === 20);
    const claims = names.map(() => aClaim({ nodeType: 'bulk' }));
    const states = await Promise.all(claims.map((claim) => provider.createNode(claim, JOIN)));
    expect(new Set(states.map((s) => s.machine.name)).size).toBe(20);
    expect(new Set(states.map((s) => s.ip)).size).toBe(20);
    for (const [i, state] of states.entries()) {
      const bmh = await lab.getHost(state.machine.name);
      expect(bmh.metadata.labels?.[CLAIM_LABEL]).toBe(claims[i].uid);
    }
    const reservations = await lab.core.listNamespacedConfigMap({ namespace: lab.namespace, labelSelector: 'metal3.vcluster.com/ip-pool' });
    expect(new Set(reservations.items.map((cm) => cm.data?.ip)).size).toBe(reservations.items.length);
    const capacity = (await provider.nodeTypes()).find((t) => t.name === 'bulk')?.capacity;
    expect(capacity).toEqual({ total: 20, claimed: 20 });
  });

  it('honours metal3.vcluster.com/server-name pinning, and reports a pinned host that is taken', async () => {
    for (const name of ['pin-01', 'pin-02', 'pin-03']) await lab.createHost(name, { ...CPU_HOST, labels: { 'hardware-class': 'pin' } });
    await waitFor(async () => (await provider.nodeTypes()).find((t) => t.name === 'pin')?.capacity.total === 3);
    const pinned = aClaim({ nodeType: 'pin', properties: { 'metal3.vcluster.com/server-name': 'pin-03' } });
    expect((await provider.createNode(pinned, JOIN)).machine.name).toBe('pin-03');

    const second = aClaim({ nodeType: 'pin', properties: { 'metal3.vcluster.com/server-name': 'pin-03' } });
    const err = await provider.createNode(second, JOIN).catch((e: unknown) => e);
    expect(isInsufficientCapacity(err)).toBe(true);
    expect((err as Error).message).toContain('pin-03');
    await expectNothingLeftFor(lab, second.uid);
  });

  it('explains insufficient capacity: how many hosts match and why they are ineligible', async () => {
    const claim = aClaim({ nodeType: 'gpu' });
    await lab.createHost('cpu-only-01', { ...CPU_HOST, labels: { 'hardware-class': 'cpu' } });
    await waitFor(async () => (await lab.getHost('cpu-only-01')).status?.provisioning?.state === 'available');
    await sleep(100);
    const err = await provider.createNode(claim, JOIN).catch((e: unknown) => e);
    expect(isInsufficientCapacity(err)).toBe(true);
    expect((err as Error).message).toMatch(/1 host\(s\) match the selector; ineligible: 1 not enough nvidia\.com\/gpu/);
    await expectNothingLeftFor(lab, claim.uid);
  });
});
