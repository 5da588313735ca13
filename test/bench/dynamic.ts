import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
/**
 * The dynamic-pool scenario: NodeTypes covering 10,000 hosts, 50 tenants (each its own lab API with
 * a dynamic pool), 1,000 pending pods with mixed requests (seeded). The real host-side provisioner
 * (platform/dynamic) runs against the lab APIs over HTTP; only provisioning is measured, so no
 * NodeClaim controller runs and the provider is only registered (the provisioner checks that it is).
 * Measured (BENCHMARKS.md "Dynamic pools" defines each): per tenant, its batch window closing → its
 * pass done (every claim of it created); overall, the first window closing → the last claim created;
 * the nodes chosen against a lower bound (total requested / best node size, per tenant), and API
 * requests per claim.
 */
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { KeepAliveKubeConfig } from '../../common/keepAlive.js';
import { startKubeApi, type KubeApiServer } from '../../lab/kube/index.js';
import { DynamicPoolsController } from '../../platform/dynamic/controller.js';
import type { ProvisionResult } from '../../platform/dynamic/provisioner.js';
import type { ClaimMetrics, PlatformDeps, ProviderDirectory } from '../../platform/deps.js';
import { DEFAULT_PLATFORM_OPTIONS } from '../../platform/deps.js';
import { silentLogger } from '../../platform/observability/logger.js';
import { KubeEventRecorder } from '../../platform/observability/events.js';
import type { NodeProvider } from '../../plugin/contract.js';
import { Rng } from '../chaos/prng.js';
import { aPod } from '../support/workloads.js';
import { BurstProfiler } from './cpuProfile.js';

const LOFT = { group: 'management.loft.sh', version: 'v1' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const PROVIDER = 'metal3-provider';
const PROJECT = 'p-bench';
const GI = 2 ** 30;

/** 10,000 hosts in three types. */
const TYPES = [
  { name: 'cpu-small', resources: { cpu: '16', memory: '64Gi' }, hosts: 6000 },
  { name: 'cpu-large', resources: { cpu: '64', memory: '256Gi' }, hosts: 3000 },
  { name: 'dgx-h100', resources: { cpu: '224', memory: '2048Gi', 'nvidia.com/gpu': '8' }, hosts: 1000 },
];

export interface DynamicOptions { tenants: number; pods: number; seed: number }
export const DYNAMIC_DEFAULTS: DynamicOptions = { tenants: 50, pods: 1000, seed: 14 };

export interface DynamicResult {
  hosts: number;
  tenants: number;
  pods: number;
  claims: number;
  /** Overall: the first batch window closed → the last NodeClaim created (all tenants). */
  allCreatedMs: number;
  /** The first batch window closed → every Event written (the host's recorder flushed, one per pod received by the tenants). */
  allEventsMs: number;
  /** First window closed → last window closed (the tenants' windows do not close at one instant). */
  windowSpreadMs: number;
  /** Per tenant: its window closed → its pass done (its creates all answered), over the tenants. */
  passP50Ms: number;
  passP99Ms: number;
  passMaxMs: number;
  /** `os.loadavg()` (1, 5, 15 min) just before the measured part: other jobs share the cores. */
  loadAverage: number[];
  lowerBound: number;
  gpuClaims: number;
  gpuLowerBound: number;
  unschedulable: number;
  mgmtRequestsPerClaim: number;
  /** The same by resource (`nodeclaims`, `nodetypes`, `projects`, `events`). */
  mgmtRequestsPerClaimByResource: Record<string, number>;
  tenantRequestsPerClaim: number;
}

/** `cpuProfileFile`: a `.cpuprofile` of the measured part only (controller start → every tenant's pass done). */
export async function runDynamicScenario(
  opts: DynamicOptions = DYNAMIC_DEFAULTS, progress: (l: string) => void = () => undefined, cpuProfileFile?: string,
): Promise<DynamicResult> {
  const mgmt = await startKubeApi({ name: 'bench-dynamic' });
  const tenants: KubeApiServer[] = [];
  const kc = mgmt.kubeConfig();
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  let controller: DynamicPoolsController | undefined;
  // The host's own client settings (platform/main.ts): keep-alive sockets that stay open across the
  // batch window, where the lab's KubeConfig closes idle sockets after a second (for tests' handles).
  const hostKc = new KeepAliveKubeConfig(kc);
  const events = new KubeEventRecorder({ kubeConfig: hostKc.kubeConfig, logger: silentLogger() });
  try {
    await core.createNamespace({ body: { metadata: { name: PROJECT } } });
    for (const t of TYPES) {
      const name = `${PROVIDER}.${t.name}`;
      await custom.createClusterCustomObject({ ...LOFT, plural: 'nodetypes', body: { apiVersion: 'management.loft.sh/v1', kind: 'NodeType', metadata: { name }, spec: { providerRef: PROVIDER, properties: {}, resources: t.resources } } });
      await custom.patchClusterCustomObjectStatus({ ...LOFT, plural: 'nodetypes', name, body: { status: { capacity: { total: t.hosts, claimed: 0 } } } }, MERGE);
    }
    const ca = selfSignedCa();
    const rng = new Rng(opts.seed);
    const pods: V1Pod[] = [];
    const podsByTenant: V1Pod[][] = [];
    for (let i = 0; i < opts.tenants; i++) {
      const api = await startKubeApi({ name: `tenant-${i}`, loadDefaultCrds: false });
      tenants.push(api);
      const tcore = api.kubeConfig().makeApiClient(CoreV1Api);
      const mine: V1Pod[] = [];
      podsByTenant.push(mine);
      const perTenant = Math.floor(opts.pods / opts.tenants) + (i < opts.pods % opts.tenants ? 1 : 0);
      for (let j = 0; j < perTenant; j++) {
        const pod = mixedPod(rng, `job-${j}`);
        await tcore.createNamespacedPod({ namespace: 'default', body: pod });
        await tcore.patchNamespacedPodStatus({ name: pod.metadata!.name!, namespace: 'default', body: { status: { conditions: [
          { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/0 nodes are available', lastTransitionTime: new Date() },
        ] } } }, MERGE);
        pods.push(pod);
        mine.push(pod);
      }
      await core.createNamespacedSecret({ namespace: PROJECT, body: { metadata: { name: `vc-t${i}` }, stringData: { config: api.kubeconfigYaml(), 'certificate-authority': ca, endpoint: 'https://127.0.0.1:1' } } });
      const values = stringify({ privateNodes: { enabled: true, autoNodes: [{ provider: PROVIDER, dynamic: [{ name: 'burst' }] }] } });
      await custom.createNamespacedCustomObject({ ...LOFT, namespace: PROJECT, plural: 'virtualclusterinstances', body: { apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name: `t${i}` }, spec: { template: { helmRelease: { values } } } } });
    }
    progress(`dynamic: ${TYPES.reduce((s, t) => s + t.hosts, 0)} hosts in ${TYPES.length} node types, ${opts.tenants} tenants, ${pods.length} pending pods`);

    const passes: { tenant: string; closedAt: number; doneAt: number; result: ProvisionResult }[] = [];
    const allDone = new Promise<void>((resolve) => {
      controller = new DynamicPoolsController(deps(hostKc.kubeConfig, events), { disruptionIntervalMs: 100, recheckMs: 3_600_000 }, {
        onProvisioned: (tenant, result, closedAt) => {
          passes.push({ tenant, closedAt, doneAt: Date.now(), result });
          if (new Set(passes.map((p) => p.tenant)).size === opts.tenants) resolve();
        },
      });
    });
    mgmt.stats.reset();
    for (const t of tenants) t.stats.reset();
    const loadAverage = loadavg();
    const profiler = cpuProfileFile ? new BurstProfiler() : undefined;
    await profiler?.start();
    await controller!.start();
    await allDone;
    const claims = passes.reduce((s, p) => s + p.result.created.length, 0);
    // Events are written after the claims: the host's (management) recorder is flushed, and the tenants'
    // pod Events (they give way to the passes) are counted in: one per pod.
    await events.flush();
    const eventsWrittenAt = await untilEventsWritten(tenants, pods.length);
    if (cpuProfileFile) await profiler?.stop(cpuProfileFile);
    // What provisioning costs: every management request of the measured part but the one-off start-up
    // (the VCI informer's LIST and watch, each tenant's access Secret read).
    const byResource = mgmt.stats.snapshot().byResource;
    const sum = (r: string) => Object.values(byResource[r] ?? {}).reduce((a, b) => a + b, 0);
    const measured = Object.keys(byResource).filter((r) => r !== 'secrets' && r !== 'virtualclusterinstances').sort();
    const mgmtRequests = measured.reduce((s, r) => s + sum(r), 0);
    const tenantRequests = tenants.reduce((s, t) => s + eventRequests(t), 0);
    const durations = passes.map((p) => p.doneAt - p.closedAt).sort((a, b) => a - b);
    const closed = passes.map((p) => p.closedAt);
    const gpuClaims = passes.flatMap((p) => p.result.created).filter((c) => c.spec.typeRef?.endsWith('dgx-h100')).length;
    const bounds = lowerBounds(podsByTenant);
    return {
      hosts: TYPES.reduce((s, t) => s + t.hosts, 0), tenants: opts.tenants, pods: pods.length, claims,
      allCreatedMs: Math.max(...passes.map((p) => p.doneAt)) - Math.min(...closed),
      allEventsMs: eventsWrittenAt - Math.min(...closed),
      windowSpreadMs: Math.max(...closed) - Math.min(...closed),
      passP50Ms: durations[Math.floor(durations.length / 2)], passP99Ms: durations[Math.min(durations.length - 1, Math.floor(durations.length * 0.99))],
      passMaxMs: durations[durations.length - 1], loadAverage,
      lowerBound: bounds.total, gpuClaims, gpuLowerBound: bounds.gpu,
      unschedulable: passes.reduce((s, p) => s + (p.result.plan?.unschedulable.length ?? 0), 0),
      mgmtRequestsPerClaim: mgmtRequests / Math.max(1, claims),
      mgmtRequestsPerClaimByResource: Object.fromEntries(measured.map((r) => [r, sum(r) / Math.max(1, claims)])),
      tenantRequestsPerClaim: tenantRequests / Math.max(1, claims),
    };
  } finally {
    await controller?.stop();
    await events.stop();
    hostKc.dispose();
    for (const t of tenants) await t.close();
    await mgmt.close();
  }
}

const EVENTS_DEADLINE_MS = 60_000;

function eventRequests(api: KubeApiServer): number {
  return Object.values(api.stats.snapshot().byResource.events ?? {}).reduce((a, b) => a + b, 0);
}

/** When the tenants' APIs have received `pods` Event writes (polled). */
async function untilEventsWritten(tenants: KubeApiServer[], pods: number): Promise<number> {
  const deadline = Date.now() + EVENTS_DEADLINE_MS;
  while (tenants.reduce((s, t) => s + eventRequests(t), 0) < pods) {
    if (Date.now() > deadline) throw new Error(`dynamic bench: Events not all written within ${EVENTS_DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now();
}

/** 70% small CPU jobs, 20% large CPU jobs, 10% GPU jobs (1, 2, 4 or 8 GPUs). */
function mixedPod(rng: Rng, name: string): V1Pod {
  const roll = rng.next();
  if (roll < 0.1) {
    const gpus = rng.pick([1, 2, 4, 8]);
    return aPod(name, { requests: { cpu: String(gpus * 8), memory: `${gpus * 64}Gi`, 'nvidia.com/gpu': String(gpus) } });
  }
  if (roll < 0.3) return aPod(name, { requests: { cpu: String(rng.int(8, 32)), memory: `${rng.int(16, 128)}Gi` } });
  return aPod(name, { requests: { cpu: `${rng.int(1, 8) * 500}m`, memory: `${rng.int(1, 16)}Gi` } });
}

/**
 * No packing can use fewer nodes than, per tenant (pools are per tenant): its GPUs / 8 (GPU pods only
 * fit DGX nodes), and its cpu or memory over the best node size it may use (the DGX when it has GPU
 * pods, since CPU pods may share those nodes; else the largest CPU type). Summed over tenants.
 */
function lowerBounds(podsByTenant: V1Pod[][]): { total: number; gpu: number } {
  let total = 0; let gpuTotal = 0;
  const q = (v: string | undefined) => (v ? (v.endsWith('m') ? Number(v.slice(0, -1)) / 1000 : v.endsWith('Gi') ? Number(v.slice(0, -2)) * GI : Number(v)) : 0);
  for (const pods of podsByTenant) {
    let gpu = 0; let cpu = 0; let mem = 0;
    for (const p of pods) {
      const r = (p.spec!.containers[0].resources!.requests ?? {}) as Record<string, string>;
      gpu += Number(r['nvidia.com/gpu'] ?? 0);
      cpu += q(r.cpu);
      mem += q(r.memory);
    }
    const gpuNodes = Math.ceil(gpu / 8);
    const best = gpu > 0 ? { cpu: 224, mem: 2048 * GI } : { cpu: 64, mem: 256 * GI };
    total += Math.max(gpuNodes, Math.ceil(cpu / best.cpu), Math.ceil(mem / best.mem));
    gpuTotal += gpuNodes;
  }
  return { total, gpu: gpuTotal };
}

/** The access Secret's CA (the host hashes it; nothing joins in this scenario). */
function selfSignedCa(): string {
  return execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=bench-tenant-ca', '-days', '1'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function deps(kc: ReturnType<KubeApiServer['kubeConfig']>, events: KubeEventRecorder): PlatformDeps {
  const registered = {} as NodeProvider;
  const providers: ProviderDirectory = { get: (n) => (n === PROVIDER ? registered : undefined), names: () => [PROVIDER] };
  const metrics: ClaimMetrics = { setClaimsByPhase: () => undefined, observeClaimDuration: () => undefined, countProviderCall: () => undefined };
  return {
    kubeConfig: kc, providers, events, logger: silentLogger(), metrics, clock: { now: () => new Date() },
    options: DEFAULT_PLATFORM_OPTIONS, replicaId: 'bench',
  };
}
