/**
 * The world for dynamic-pool tests: the management API harness with the autoNodes, NodeClaim and
 * dynamic-pool controllers and a FakeProvider, plus one fresh tenant API per test (its own lab
 * scheduler and kubelet stand-ins) whose access Secret `vc-<name>` the host finds as usual. Machines
 * of the fake provider "boot" on their own: a Provisioned machine registers a Ready Node named after
 * its host, with the claim's node labels and taints and its NodeType's resources as allocatable.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { startTenantWorkloads, type TenantWorkloads } from '../../../lab/vcluster/workloads.js';
import { startAutoNodesController } from '../../../platform/autoNodes/index.js';
import { startDynamicPools } from '../../../platform/dynamic/index.js';
import { startNodeClaimController } from '../../../platform/nodeClaims/index.js';
import type { Condition, NodeClaim } from '../../../platform/nodeClaims/types.js';
import { FakeProvider } from '../support/fakeProvider.js';
import { GROUP, PROJECT_NS, startHarness, VERSION, type Harness } from '../support/harness.js';
import { waitFor } from '../../support/waitFor.js';
import { createNodeType, listClaims } from '../support/objects.js';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const PROVIDER = 'm3';

/** The catalogue: two CPU sizes and a DGX-like GPU type, 10 hosts each. */
export const TYPES: Record<string, { resources: Record<string, string>; cost?: number }> = {
  'cpu-small': { resources: { cpu: '4', memory: '16Gi' }, cost: 40 },
  'cpu-large': { resources: { cpu: '16', memory: '64Gi' }, cost: 150 },
  dgx: { resources: { cpu: '32', memory: '256Gi', 'nvidia.com/gpu': '8' } },
};

export interface TenantUnderTest {
  name: string;
  core: CoreV1Api;
  api: KubeApiServer;
  /** Sets the VCI's dynamic pools (creates the VCI on first call). */
  setPools(dynamic: unknown[]): Promise<void>;
  claims(pool?: string): Promise<NodeClaim[]>;
  vciCondition(type: string): Promise<Condition | undefined>;
  podEvents(pod: string): Promise<{ reason: string; message: string }[]>;
}

export interface DynamicWorld {
  h: Harness;
  provider: FakeProvider;
  tenant(name: string): Promise<TenantUnderTest>;
  /** Events the host recorded on a claim. */
  claimEvents(claim: string): { reason: string; message: string }[];
  stop(): Promise<void>;
}

export async function startDynamicWorld(): Promise<DynamicWorld> {
  const h = await startHarness();
  const provider = new FakeProvider({ machines: 100 });
  h.providers.map.set(PROVIDER, provider);
  for (const [name, t] of Object.entries(TYPES)) await createNodeType(h, PROVIDER, name, { ...t, total: 10 });
  const deps = h.deps({ dynamic: { batch: { idleMs: 1000, maxMs: 10_000 }, disruptionIntervalMs: 200, nominationGraceMs: 2000, recheckMs: 2000 } });
  const stops: { stop(): Promise<void> }[] = [
    await startNodeClaimController(deps), await startAutoNodesController(deps), await startDynamicPools(deps, deps.options.dynamic),
  ];
  const tenants: { api: KubeApiServer; workloads: TenantWorkloads }[] = [];
  const nodeHome = new Map<string, CoreV1Api>();
  const joiner = setInterval(() => void bootMachines(), 50);

  async function bootMachines(): Promise<void> {
    for (const state of provider.nodes.values()) {
      if (state.phase !== 'Provisioning') continue;
      const call = provider.createCalls.find((c) => c.claim.uid === state.claimUid);
      const core = call?.claim.vClusterRef ? nodeHome.get(call.claim.vClusterRef) : undefined;
      if (!call || !core) continue;
      provider.setPhase(state.claimUid, 'Provisioned');
      const allocatable = { pods: '110', ...TYPES[call.claim.nodeType].resources };
      try {
        await core.createNode({ body: { metadata: { name: state.machine.name, labels: { 'kubernetes.io/hostname': state.machine.name, ...(call.claim.nodeLabels ?? {}) } }, spec: { taints: call.claim.taints ?? [] } } });
        await core.patchNodeStatus({ name: state.machine.name, body: { status: {
          capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready' }],
        } } }, MERGE);
      } catch {
        provider.setPhase(state.claimUid, 'Provisioning');
      }
    }
  }

  const vciApi = { group: GROUP, version: VERSION, namespace: PROJECT_NS, plural: 'virtualclusterinstances' };
  return {
    h,
    provider,
    async tenant(name) {
      const api = await startKubeApi({ name, loadDefaultCrds: false });
      const core = api.kubeConfig().makeApiClient(CoreV1Api);
      tenants.push({ api, workloads: await startTenantWorkloads(api.kubeConfig()) });
      nodeHome.set(name, core);
      await h.mgmtCore.createNamespacedSecret({
        namespace: PROJECT_NS,
        body: { metadata: { name: `vc-${name}` }, stringData: { config: api.kubeconfigYaml(), 'certificate-authority': h.caPem, endpoint: 'https://127.0.0.1:1' } },
      });
      let created = false;
      return {
        name, core, api,
        async setPools(dynamic) {
          const values = stringify({ privateNodes: { enabled: true, autoNodes: [{ provider: PROVIDER, dynamic }] } });
          if (!created) {
            created = true;
            await h.custom.createNamespacedCustomObject({ ...vciApi, body: {
              apiVersion: `${GROUP}/${VERSION}`, kind: 'VirtualClusterInstance', metadata: { name }, spec: { template: { helmRelease: { values } } },
            } });
          } else {
            await h.custom.patchNamespacedCustomObject({ ...vciApi, name, body: { spec: { template: { helmRelease: { values } } } } }, MERGE);
          }
        },
        async claims(pool) {
          return (await listClaims(h, `vcluster.loft.sh/vcluster=${name}${pool ? `,vcluster.loft.sh/node-pool=${pool}` : ''}`))
            .filter((c) => !c.metadata.deletionTimestamp);
        },
        async vciCondition(type) {
          const vci = (await h.custom.getNamespacedCustomObject({ ...vciApi, name })) as { status?: { conditions?: Condition[] } };
          return vci.status?.conditions?.find((c) => c.type === type);
        },
        async podEvents(pod) {
          const list = await core.listNamespacedEvent({ namespace: 'default' });
          return list.items.filter((e) => e.involvedObject.name === pod).map((e) => ({ reason: e.reason ?? '', message: e.message ?? '' }));
        },
      };
    },
    claimEvents(claim) {
      return h.events.events.filter((e) => e.ref.name === claim).map(({ reason, message }) => ({ reason, message }));
    },
    async stop() {
      clearInterval(joiner);
      for (const s of stops.reverse()) await s.stop();
      for (const t of tenants) {
        await t.workloads.stop();
        await t.api.close();
      }
      await h.close();
    },
  };
}

/** Waits until the pod is Running and returns its node. */
export async function runningOn(core: CoreV1Api, name: string, timeoutMs = 20_000): Promise<string> {
  return waitFor(async () => {
    const pod: V1Pod = await core.readNamespacedPod({ name, namespace: 'default' });
    return pod.status?.phase === 'Running' && pod.spec?.nodeName;
  }, { what: `pod ${name} Running`, timeoutMs });
}
