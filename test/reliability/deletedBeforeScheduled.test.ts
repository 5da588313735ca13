/**
 * A NodeClaim deleted before the host gave it a node type (chaos seed 3: the typeRef write failed
 * under API faults, the tenant scaled down, the next leader found the claim deleting without
 * `spec.typeRef`). The host, with the real plugin, over real HTTP: the claim's termination must
 * release it (the plugin holds nothing for it) and its finalizer must go, not be retried forever.
 * The interleaving is made exact with a gate proxy in front of the management API that holds the
 * host's typeRef write until the claim is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PluginActivation } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { startNodeClaimController } from '../../platform/nodeClaims/index.js';
import { CLAIM_FINALIZER } from '../../platform/nodeClaims/types.js';
import { startHarness, type Harness } from '../platform/support/harness.js';
import { createClaim, createNodeType, deleteClaim, getClaim } from '../platform/support/objects.js';
import { providerConfig, recordingHost } from '../providers/helpers.js';
import { startGateProxy, type GateProxy } from '../support/gateProxy.js';
import { waitFor } from '../support/waitFor.js';

const PROVIDER = 'metal3-provider';
const HOSTS_NAMESPACE = 'metal3';
const RELEASE_TIMEOUT_MS = 20_000;

describe('a NodeClaim deleted before it was given a node type', () => {
  let h: Harness;
  let gate: GateProxy;
  let plugin: PluginActivation;
  let controller: { stop(): Promise<void> };

  beforeAll(async () => {
    h = await startHarness();
    await h.mgmtCore.createNamespace({ body: { metadata: { name: HOSTS_NAMESPACE } } });
    plugin = await activate(recordingHost(h.mgmt.kubeConfig()));
    await plugin.provider.configure(providerConfig(HOSTS_NAMESPACE));
    h.providers.map.set(PROVIDER, plugin.provider);
    await createNodeType(h, PROVIDER, 'cpu-node');
    await h.writeTenantSecret('vc1');
    gate = await startGateProxy({ target: h.mgmt });
    controller = await startNodeClaimController({ ...h.deps(), kubeConfig: gate.kubeConfig });
  });

  afterAll(async () => {
    await controller?.stop();
    await plugin?.dispose();
    await gate?.close();
    await h?.close();
  });

  it('is released and its finalizer removed when its typeRef write lost the race with the delete', async () => {
    const name = 'deleted-while-scheduling';
    // The host's writes of the claim's metadata and spec: first its finalizer, then its typeRef (held).
    let specWrites = 0;
    const typeRefWrite = gate.hold((method, path) =>
      method === 'PATCH' && path.includes(`/nodeclaims/${name}`) && !path.includes('/status') && ++specWrites === 2);
    await createClaim(h, { providerRef: PROVIDER, vClusterRef: 'vc1' }, name);
    const held = await typeRefWrite;
    await deleteClaim(h, name);
    const deleting = await getClaim(h, name);
    expect(deleting?.metadata.deletionTimestamp).toBeDefined();
    expect(deleting?.metadata.finalizers).toEqual([CLAIM_FINALIZER]);
    expect(deleting?.spec.typeRef).toBeUndefined();

    // The typeRef write now meets a claim that changed (and is deleting): it is refused.
    expect(await held.release()).toBe(409);

    await waitFor(async () => (await getClaim(h, name)) === undefined, { what: `NodeClaim ${name} gone`, timeoutMs: RELEASE_TIMEOUT_MS });
    expect(h.metrics.calls).toContainEqual({ provider: PROVIDER, method: 'deleteNode', outcome: 'ok' });
    expect(h.logger.lines.filter((line) => line.includes(name) && line.includes('is not configured'))).toEqual([]);
  });

  it('is released at once when no node type fits it', async () => {
    const name = 'deleted-while-unschedulable';
    await createClaim(h, {
      providerRef: PROVIDER, vClusterRef: 'vc1',
      requirements: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['no-such-type'] }],
    }, name);
    await waitFor(async () => (await getClaim(h, name))?.status?.conditions?.some((c) => c.type === 'Scheduled' && c.status === 'False'),
      { what: `NodeClaim ${name} waiting to be scheduled` });
    await deleteClaim(h, name);
    await waitFor(async () => (await getClaim(h, name)) === undefined, { what: `NodeClaim ${name} gone`, timeoutMs: RELEASE_TIMEOUT_MS });
  });
});
