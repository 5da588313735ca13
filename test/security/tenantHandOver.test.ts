/**
 * Moving a host between tenants: a released host reaches another tenant only after Metal3 has
 * cleaned it (it is not `available` before); a host with `automatedCleaningMode: disabled` is never
 * handed to a different tenant uncleaned unless the NodeProvider sets `allowUncleanedReuse: true`,
 * while the same tenant may reuse it. Status is driven by hand, so every step is deterministic.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isInsufficientCapacity, type NodeClaimView, type NodeProvider, type ProviderConfig } from '../../plugin/contract.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { activateConfigured, CPU_HOST, providerConfig, seedPlatformObjects } from '../providers/helpers.js';
import { expectReleased, readCluster } from '../reliability/invariants.js';
import { aClaim, JOIN } from '../support/builders.js';
import { waitFor } from '../support/waitFor.js';

const ONLY = (name: string) => ({ 'metal3.vcluster.com/server-name': name });

async function releaseThrough(lab: TestLab, provider: NodeProvider, claim: NodeClaimView, hostName: string, states: string[]): Promise<void> {
  expect((await provider.deleteNode(claim)).phase).toBe('Releasing');
  for (const state of states) {
    await lab.setHostState(hostName, state);
    await waitForHostState(provider, claim, state);
  }
  expect((await provider.deleteNode(claim)).phase).toBe('Released');
}

async function waitForHostState(provider: NodeProvider, claim: NodeClaimView, state: string): Promise<void> {
  await waitFor(async () => (await provider.getNode(claim))?.providerState === state, { what: `host of ${claim.name} to reach ${state}`, timeoutMs: 5000, everyMs: 10 });
}

describe('handing a host to another tenant', () => {
  let lab: TestLab;
  let config: ProviderConfig;

  beforeAll(async () => {
    lab = await startTestLab();
    await seedPlatformObjects(lab);
    await lab.createHost('clean-01', { ...CPU_HOST });
    await lab.createHost('dirty-01', { ...CPU_HOST, automatedCleaningMode: 'disabled' });
    config = providerConfig(lab.namespace);
  });

  afterAll(async () => {
    await lab?.close();
  });

  it('a released host is not offered to another tenant while it is still deprovisioning (cleaning)', async () => {
    const { activation, provider } = await activateConfigured(lab, config);
    try {
      const a = aClaim({ vClusterRef: 'tenant-a', properties: ONLY('clean-01') });
      await provider.createNode(a, JOIN);
      await lab.setHostState('clean-01', 'provisioned');
      await waitForHostState(provider, a, 'provisioned');
      expect((await provider.deleteNode(a)).phase).toBe('Releasing');
      await lab.setHostState('clean-01', 'deprovisioning');
      await waitForHostState(provider, a, 'deprovisioning');

      const b = aClaim({ vClusterRef: 'tenant-b', properties: ONLY('clean-01') });
      const err = await provider.createNode(b, JOIN).catch((e: unknown) => e);
      expect(isInsufficientCapacity(err)).toBe(true);
      expect((err as Error).message).toMatch(/clean-01/);

      await lab.setHostState('clean-01', 'available');
      await waitForHostState(provider, a, 'available');
      expect((await provider.deleteNode(a)).phase).toBe('Released');
      expect((await provider.createNode(b, JOIN)).machine.name).toBe('clean-01');
      await releaseThrough(lab, provider, b, 'clean-01', []);
      expectReleased(await readCluster(lab), b.uid);
    } finally {
      await activation.dispose();
    }
  });

  it('automatedCleaningMode disabled: another tenant is refused, the same tenant may reuse it', async () => {
    const { activation, provider } = await activateConfigured(lab, config);
    try {
      const first = aClaim({ vClusterRef: 'tenant-a', properties: ONLY('dirty-01') });
      await provider.createNode(first, JOIN);
      await releaseThrough(lab, provider, first, 'dirty-01', []);
      expect((await lab.getHost('dirty-01')).metadata.annotations?.['metal3.vcluster.com/last-tenant']).toBe('p-default/tenant-a');

      const other = aClaim({ vClusterRef: 'tenant-b', properties: ONLY('dirty-01') });
      const err = await provider.createNode(other, JOIN).catch((e: unknown) => e);
      expect(isInsufficientCapacity(err)).toBe(true);
      expect((err as Error).message).toMatch(/automatedCleaningMode is disabled/);
      expectReleased(await readCluster(lab), other.uid);

      const same = aClaim({ vClusterRef: 'tenant-a', properties: ONLY('dirty-01') });
      expect((await provider.createNode(same, JOIN)).machine.name).toBe('dirty-01');
      await releaseThrough(lab, provider, same, 'dirty-01', []);
    } finally {
      await activation.dispose();
    }
  });

  it('automatedCleaningMode disabled with allowUncleanedReuse: true: another tenant may take it', async () => {
    const permissive: ProviderConfig = { ...config, spec: { ...config.spec, metal3: { ...config.spec.metal3!, allowUncleanedReuse: true } } };
    const { activation, provider } = await activateConfigured(lab, permissive);
    try {
      const other = aClaim({ vClusterRef: 'tenant-c', properties: ONLY('dirty-01') });
      expect((await provider.createNode(other, JOIN)).machine.name).toBe('dirty-01');
      await releaseThrough(lab, provider, other, 'dirty-01', []);
      expect((await lab.getHost('dirty-01')).metadata.annotations?.['metal3.vcluster.com/last-tenant']).toBe('p-default/tenant-c');
    } finally {
      await activation.dispose();
    }
  });
});
