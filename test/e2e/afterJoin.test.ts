/**
 * After the join, on the lab world with the real plugin and real (simulated) servers: the host sets the
 * NodeType's label properties, the pool's nodeLabels and taints on the Node; a tenant Node deleted by
 * an operator releases its machine and the static pool gets a new one.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, CustomObjectsApi, type V1Node } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { World } from '../../lab/world.js';
import { startE2eWorld, type E2eWorld } from './labWorld.js';
import { waitFor } from '../support/waitFor.js';

const PATIENTLY = { timeoutMs: 60_000, everyMs: 100 };
const LOFT = { group: 'management.loft.sh', version: 'v1' };
const PROJECT = 'p-life';

type Bmh = { metadata: { name: string; labels?: Record<string, string> }; status?: { provisioning?: { state?: string } } };

describe('a node after it joined, end to end on the lab world', () => {
  let lab: E2eWorld;
  let world: World;
  let custom: CustomObjectsApi;

  beforeAll(async () => {
    lab = await startE2eWorld(PROJECT);
    ({ world, custom } = lab);
    await custom.createNamespacedCustomObject({
      ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances',
      body: {
        apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name: 'tenant-a' },
        spec: { template: { helmRelease: { values: stringify({ privateNodes: { enabled: true, autoNodes: [{
          provider: 'metal3-provider',
          static: [{
            name: 'cpu', quantity: 1, nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: 'cpu' }],
            nodeLabels: { team: 'ml' }, taints: [{ key: 'dedicated', value: 'ml', effect: 'NoSchedule' }],
          }],
        }] } }) } } },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await lab?.stop();
  });

  const tenantCore = () => world.tenants.get(PROJECT, 'tenant-a')?.api.kubeConfig().makeApiClient(CoreV1Api);
  const readyNodes = async (): Promise<V1Node[]> => {
    const core = tenantCore();
    if (!core) return [];
    return (await core.listNode()).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  };
  const hostOf = async (claimUid: string) => ((await custom.listNamespacedCustomObject({
    group: 'metal3.io', version: 'v1alpha1', namespace: 'metal3-system', plural: 'baremetalhosts', labelSelector: `metal3.vcluster.com/node-claim=${claimUid}`,
  })) as { items: Bmh[] }).items[0];
  const claimUids = async () => ((await custom.listNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'nodeclaims' })) as {
    items: { metadata: { uid: string; deletionTimestamp?: string } }[];
  }).items.filter((c) => !c.metadata.deletionTimestamp).map((c) => c.metadata.uid);

  /** The pool's joined Node (Ready, with the pool's label and taint), its claim and host. */
  const poolNode = async () => {
    const node = await waitFor(async () => {
      const [n] = await readyNodes();
      return n?.metadata?.labels?.team === 'ml' && (n.spec?.taints ?? []).length > 0 && n;
    }, { what: 'a Ready node with the pool’s label and taint', ...PATIENTLY });
    const [claim] = await claimUids();
    return { node, claim, host: (await hostOf(claim)).metadata.name };
  };

  it('sets the NodeType’s label properties, the pool’s nodeLabels and its taints on the joined Node', async () => {
    const { node } = await poolNode();
    expect(node.metadata?.labels).toMatchObject({
      'vcluster.com/node-type': 'metal3-provider.cpu', 'node.kubernetes.io/instance-type': 'metal3-provider.cpu',
      'kubernetes.io/os': 'linux', 'karpenter.sh/capacity-type': 'on-demand', 'gpu-model': 'none', team: 'ml',
    });
    expect(node.spec?.taints).toEqual([expect.objectContaining({ key: 'dedicated', value: 'ml', effect: 'NoSchedule' })]);
  });

  it('releases the machine of a deleted tenant Node and the pool gets a new one', async () => {
    const joined = await poolNode();
    const first = { node: joined.node.metadata!.name!, claim: joined.claim, host: joined.host };
    await tenantCore()!.deleteNode({ name: first.node });
    const replacement = await waitFor(async () => {
      const [n] = await readyNodes();
      return n && n.metadata?.name !== first.node && n.metadata?.labels?.team === 'ml' && n;
    }, { what: 'a replacement node carrying the pool’s label', ...PATIENTLY });
    const claims = await claimUids();
    expect(claims).toHaveLength(1);
    expect(claims[0]).not.toBe(first.claim);
    expect(replacement.metadata?.labels?.['node.kubernetes.io/instance-type']).toBe('metal3-provider.cpu');
    await waitFor(async () => {
      const host = ((await custom.getNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace: 'metal3-system', plural: 'baremetalhosts', name: first.host })) as Bmh);
      return host.status?.provisioning?.state === 'available' && !host.metadata.labels?.['metal3.vcluster.com/node-claim'];
    }, { what: `host ${first.host} released and available again`, ...PATIENTLY });
  });
});
