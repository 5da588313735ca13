/**
 * The demo's dynamic-pool case, also run by the end-to-end test: a tenant with one dynamic pool of
 * DGX hosts (WhenEmpty) submits a job that asks for `nvidia.com/gpu: 8`. The host's provisioner
 * creates a NodeClaim, a DGX server is installed and joins, the GPU device plugin advertises its
 * GPUs, the job runs and ends; the empty node is consolidated and the host cleaned and back in the pool.
 */
import { CoreV1Api, CustomObjectsApi, Watch, type V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { RUN_FOR_ANNOTATION } from '../vcluster/podRunner.js';
import { HOST_NAMESPACE, PROVIDER_NAME, SERVER_CLUSTER_PROPERTY, type World } from '../world.js';

const LOFT = { group: 'management.loft.sh', version: 'v1' };
const POLL_MS = 250;

export interface GpuJobOptions {
  namespace: string;
  tenant: string;
  /** How long the job runs once started. */
  runFor: string;
  consolidateAfter: string;
  serverCluster?: string;
  /** The dynamic pool's node type; default `gpu-h100` (with sites, a site's `<site>-gpu-h100`). */
  nodeType?: string;
}

/** Milliseconds since the job was submitted, per step. */
export interface GpuJobTimeline {
  nodeType?: string;
  claim?: string;
  host?: string;
  claimCreated?: number;
  running?: number;
  succeeded?: number;
  consolidated?: number;
  hostAvailable?: number;
  disruptionReason?: string;
}

export function gpuJobValues(opts: Pick<GpuJobOptions, 'consolidateAfter' | 'serverCluster' | 'nodeType'>): string {
  return stringify({
    privateNodes: {
      enabled: true,
      autoNodes: [{
        provider: PROVIDER_NAME,
        ...(opts.serverCluster ? { properties: { [SERVER_CLUSTER_PROPERTY]: opts.serverCluster } } : {}),
        dynamic: [{
          name: 'gpu-burst',
          nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: opts.nodeType ?? 'gpu-h100' }],
          limits: { 'nvidia.com/gpu': '16', nodes: '2' },
          disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: opts.consolidateAfter },
        }],
      }],
    },
  });
}

export function gpuJob(runFor: string): V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'train-llm', namespace: 'default', annotations: { [RUN_FOR_ANNOTATION]: runFor } },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'train', image: 'nvcr.io/nvidia/pytorch:24.05-py3', resources: { requests: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '8' }, limits: { 'nvidia.com/gpu': '8' } } }],
    },
  };
}

/** Creates the tenant and submits the job; `done` resolves once the host is available again. */
export async function startGpuJobCase(world: World, opts: GpuJobOptions, deadline: number, onStep?: (line: string) => void): Promise<{ done: Promise<GpuJobTimeline> }> {
  const custom = world.kubeConfig.makeApiClient(CustomObjectsApi);
  await world.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: opts.namespace } } }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  });
  await custom.createNamespacedCustomObject({
    ...LOFT, namespace: opts.namespace, plural: 'virtualclusterinstances',
    body: { apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name: opts.tenant }, spec: { template: { helmRelease: { values: gpuJobValues(opts) } } } },
  });
  return { done: follow(world, custom, opts, deadline, onStep ?? (() => undefined)) };
}

async function follow(world: World, custom: CustomObjectsApi, opts: GpuJobOptions, deadline: number, say: (line: string) => void): Promise<GpuJobTimeline> {
  const until = async <T>(what: string | (() => Promise<string>), probe: () => Promise<T | undefined>): Promise<T> => {
    for (;;) {
      const v = await probe().catch(() => undefined);
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`dynamic pool case: timed out waiting for ${typeof what === 'string' ? what : await what()}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  const tenant = await until('the tenant cluster', async () => world.tenants.get(opts.namespace, opts.tenant));
  const core = tenant.api.kubeConfig().makeApiClient(CoreV1Api);
  // Every phase the job passes through, from a watch: once its node is consolidated the pod is garbage
  // collected with it, so polling alone can miss a short job's Succeeded on a busy machine.
  const phases = new Map<string, V1Pod>();
  const watching = await new Watch(tenant.api.kubeConfig()).watch('/api/v1/namespaces/default/pods', { fieldSelector: 'metadata.name=train-llm' },
    (_type: string, pod: V1Pod) => { if (pod.status?.phase) phases.set(pod.status.phase, pod); }, () => undefined);
  try {
    return await followJob(world, custom, core, opts, deadline, say, until, phases);
  } finally {
    watching.abort();
  }
}

async function followJob(
  world: World, custom: CustomObjectsApi, core: CoreV1Api, opts: GpuJobOptions, deadline: number, say: (line: string) => void,
  until: <T>(what: string | (() => Promise<string>), probe: () => Promise<T | undefined>) => Promise<T>, phases: Map<string, V1Pod>,
): Promise<GpuJobTimeline> {
  await core.createNamespacedPod({ namespace: 'default', body: gpuJob(opts.runFor) });
  const t0 = Date.now();
  const since = () => Date.now() - t0;
  const timeline: GpuJobTimeline = {};
  say(`${opts.tenant}: job train-llm submitted (nvidia.com/gpu: 8, runs ${opts.runFor}); no node has GPUs, it is Unschedulable`);
  const claimsOf = async () => ((await custom.listNamespacedCustomObject({
    ...LOFT, namespace: opts.namespace, plural: 'nodeclaims', labelSelector: `vcluster.loft.sh/vcluster=${opts.tenant}`,
  })) as { items: { metadata: { name: string; deletionTimestamp?: string; annotations?: Record<string, string> }; spec: { typeRef?: string } }[] }).items;
  const claim = await until('a NodeClaim of the dynamic pool', async () => (await claimsOf())[0]);
  Object.assign(timeline, { claimCreated: since(), claim: claim.metadata.name, nodeType: claim.spec.typeRef });
  say(`${opts.tenant}: dynamic pool gpu-burst created NodeClaim ${claim.metadata.name} (${claim.spec.typeRef})`);
  const readJob = () => core.readNamespacedPod({ name: 'train-llm', namespace: 'default' });
  const jobState = async () => {
    const [p, nodes] = await Promise.all([readJob().catch(() => ({ status: { phase: 'gone (deleted)' } }) as V1Pod), core.listNode()]);
    const sched = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
    const c = (await custom.getNamespacedCustomObject({ ...LOFT, namespace: opts.namespace, plural: 'nodeclaims', name: claim.metadata.name }).catch(() => undefined)) as { status?: { phase?: string; conditions?: { type: string; status: string; reason: string }[] } } | undefined;
    const claimState = `claim ${c?.status?.phase ?? 'gone'} ${(c?.status?.conditions ?? []).map((x) => `${x.type}=${x.status}/${x.reason}`).join(',')}`;
    const all = (await claimsOf()).map((x) => `${x.metadata.name}${x.metadata.deletionTimestamp ? ' (deleting)' : ''} ${JSON.stringify(x.metadata.annotations ?? {})}`).join('; ');
    return `${claimState}; claims: ${all}; job ${p.status?.phase} (${sched?.reason ?? ''} ${sched?.message ?? ''}); nodes: ${nodes.items.map((n) => `${n.metadata?.name} ${JSON.stringify(n.status?.allocatable ?? {})}`).join('; ') || 'none'}`;
  };
  const running = await until(async () => `the job to run: ${await jobState().catch(() => '?')}`, async () =>
    phases.get('Running') ?? phases.get('Succeeded') ?? readJob().then((p) => (p.status?.phase === 'Running' || p.status?.phase === 'Succeeded' ? p : undefined)));
  type Host = { metadata: { name: string }; spec?: { consumerRef?: { name?: string } }; status?: { provisioning?: { state?: string } } };
  // The hosts live in the management cluster, or with sites in each site's cluster.
  const hostApis = world.sites.length > 0 ? world.sites.map((site) => site.kubeConfig.makeApiClient(CustomObjectsApi)) : [custom];
  const hosts = async () => (await Promise.all(hostApis.map(async (api) =>
    ((await api.listNamespacedCustomObject({ group: 'metal3.io', version: 'v1alpha1', namespace: HOST_NAMESPACE, plural: 'baremetalhosts' })) as { items: Host[] }).items))).flat();
  const host = (await hosts()).find((h) => h.spec?.consumerRef?.name === claim.metadata.name)?.metadata.name;
  Object.assign(timeline, { running: since(), host });
  say(`${opts.tenant}: train-llm Running on node ${running.spec?.nodeName}, host ${host} (8 GPUs advertised by the device plugin)`);
  await until(async () => `the job to finish: ${await jobState().catch((err: Error) => `state unreadable (${err.message})`)}`, async () =>
    (phases.has('Succeeded') || (await readJob()).status?.phase === 'Succeeded' ? true : undefined));
  timeline.succeeded = since();
  say(`${opts.tenant}: train-llm Succeeded; the node is empty`);
  await until('the empty node to be consolidated', async () => {
    const c = (await claimsOf()).find((x) => x.metadata.name === claim.metadata.name);
    if (c && !c.metadata.deletionTimestamp) return undefined;
    timeline.disruptionReason = c?.metadata.annotations?.['vcluster.loft.sh/disruption-reason'] ?? 'Empty';
    return true;
  });
  timeline.consolidated = since();
  say(`${opts.tenant}: node ${running.spec?.nodeName} consolidated (${timeline.disruptionReason}); host ${timeline.host} is being cleaned`);
  await until(`host ${timeline.host} to be available again`, async () => {
    const bmh = (await hosts()).find((h) => h.metadata.name === timeline.host);
    return bmh?.status?.provisioning?.state === 'available' && !bmh.spec?.consumerRef ? true : undefined;
  });
  timeline.hostAvailable = since();
  say(`${opts.tenant}: host ${timeline.host} cleaned and available in the pool again`);
  return timeline;
}
