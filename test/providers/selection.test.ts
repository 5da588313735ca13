/**
 * Host selection follows the hosts as they change, through the lab API over real HTTP: the plugin's
 * per-node-type index of free hosts (kept by the host cache from watch events) must move a host in or
 * out when its labels or inspected hardware change, apply a changed cleaning mode, and drop a claimed
 * host and take it back once released. Host status is driven by hand (no simulator). Each case has a
 * node type and hosts of its own, so the cases do not depend on each other's order.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isInsufficientCapacity, type NodeClaimView, type NodeProvider, type PluginActivation } from '../../plugin/contract.js';
import type { Metal3NodeTypeSpec } from '../../providers/metal3/spec.js';
import { aClaim, aNodeType, JOIN } from '../support/builders.js';
import { expectNothingLeftFor } from '../support/expectations.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { waitFor } from '../support/waitFor.js';
import { activateConfigured, CPU_HOST, providerConfig, seedPlatformObjects } from './helpers.js';

const LAST_TENANT = 'metal3.vcluster.com/last-tenant';
const typeFor = (name: string): Metal3NodeTypeSpec => aNodeType({ name, matchLabels: { 'hardware-class': name } });

describe('host selection as hosts change', () => {
  let lab: TestLab;
  let activation: PluginActivation;
  let provider: NodeProvider;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    const config = providerConfig(lab.namespace, {
      properties: { 'vcluster.com/os-image': 'ubuntu-noble', 'metal3.vcluster.com/network-cidr': '10.50.0.1/24' },
      nodeTypes: ['relabel', 'hardware', 'uncleaned', 'reuse'].map(typeFor),
    });
    ({ activation, provider } = await activateConfigured(lab, config));
  });

  afterAll(async () => {
    await activation?.dispose();
    await lab?.close();
  });

  const capacity = async (nodeType: string) => (await provider.nodeTypes()).find((t) => t.name === nodeType)?.capacity;
  const waitForFree = (nodeType: string, free: number) =>
    waitFor(async () => {
      const c = await capacity(nodeType);
      return c !== undefined && c.total - c.claimed === free;
    }, { what: `${free} free host(s) of node type ${nodeType} in the plugin's cache` });
  const refusal = (claim: NodeClaimView) => provider.createNode(claim, JOIN).then(() => undefined, (err: unknown) => err);

  it('claims a host relabelled into the node type, and never one relabelled out of it', async () => {
    await lab.createHost('relabel-in', { ...CPU_HOST, labels: { 'hardware-class': 'parked' } });
    await lab.createHost('relabel-out', { ...CPU_HOST, labels: { 'hardware-class': 'relabel' } });
    await waitForFree('relabel', 1);
    await lab.patchHost('relabel-out', { metadata: { labels: { 'hardware-class': 'parked' } } });
    await waitForFree('relabel', 0);
    const early = aClaim({ nodeType: 'relabel' });
    expect(isInsufficientCapacity(await refusal(early))).toBe(true);
    await expectNothingLeftFor(lab, early.uid);

    await lab.patchHost('relabel-in', { metadata: { labels: { 'hardware-class': 'relabel' } } });
    await waitForFree('relabel', 1);
    expect((await provider.createNode(aClaim({ nodeType: 'relabel' }), JOIN)).machine.name).toBe('relabel-in');
  });

  it('claims a host once its inspected hardware grows to fit the node type', async () => {
    const small = await lab.createHost('hardware-01', { ...CPU_HOST, labels: { 'hardware-class': 'hardware' }, cpu: 8 });
    const claim = aClaim({ nodeType: 'hardware' });
    const tooSmall = /1 host\(s\) match the selector; ineligible: 1 not enough cpu/;
    const err = await waitFor(async () => {
      const refused = await refusal(claim);
      return isInsufficientCapacity(refused) && tooSmall.test((refused as Error).message) && refused;
    }, { what: 'the claim to be refused for the host\'s cpu count' });
    expect((err as Error).message).toMatch(tooSmall);

    const hardware = small.status!.hardware!;
    await lab.setHostState('hardware-01', 'available', { hardware: { ...hardware, cpu: { ...hardware.cpu, count: 32 } } });
    await waitForFree('hardware', 1);
    expect((await provider.createNode(claim, JOIN)).machine.name).toBe('hardware-01');
  });

  it('refuses an uncleaned host that served another tenant until its cleaning mode is switched back on', async () => {
    await lab.createHost('uncleaned-01', {
      ...CPU_HOST,
      labels: { 'hardware-class': 'uncleaned' },
      automatedCleaningMode: 'disabled',
      annotations: { [LAST_TENANT]: 'p-other/tenant-b' },
    });
    await waitForFree('uncleaned', 1);
    const claim = aClaim({ nodeType: 'uncleaned' });
    const err = await refusal(claim);
    expect(isInsufficientCapacity(err)).toBe(true);
    expect((err as Error).message).toMatch(/automatedCleaningMode is disabled and the host last served another tenant/);
    await expectNothingLeftFor(lab, claim.uid);

    await lab.patchHost('uncleaned-01', { spec: { automatedCleaningMode: 'metadata' } });
    // The platform retries a claim refused for capacity; the next try after the watch event gets the host.
    const state = await waitFor(() => provider.createNode(claim, JOIN).catch(() => undefined), { what: 'the claim to get the cleaned host' });
    expect(state.machine.name).toBe('uncleaned-01');
  });

  it('does not give a claimed host to a second claim, and gives it once the first claim released it', async () => {
    await lab.createHost('reuse-01', { ...CPU_HOST, labels: { 'hardware-class': 'reuse' } });
    await waitForFree('reuse', 1);
    const first = aClaim({ nodeType: 'reuse' });
    expect((await provider.createNode(first, JOIN)).machine.name).toBe('reuse-01');
    await waitForFree('reuse', 0);
    const second = aClaim({ nodeType: 'reuse' });
    expect(isInsufficientCapacity(await refusal(second))).toBe(true);
    await expectNothingLeftFor(lab, second.uid);

    await lab.setHostState('reuse-01', 'provisioned', { poweredOn: true });
    await waitFor(async () => (await provider.getNode(first))?.providerState === 'provisioned');
    expect(await provider.deleteNode(first)).toMatchObject({ phase: 'Releasing' });
    await lab.setHostState('reuse-01', 'deprovisioning');
    await waitFor(async () => (await provider.getNode(first))?.providerState === 'deprovisioning');
    await lab.setHostState('reuse-01', 'available');
    await waitFor(async () => (await provider.getNode(first))?.providerState === 'available');
    expect(await provider.deleteNode(first)).toMatchObject({ phase: 'Released' });
    await waitForFree('reuse', 1);
    expect((await provider.createNode(second, JOIN)).machine.name).toBe('reuse-01');
  });
});
