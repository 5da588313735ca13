/**
 * Entry points behind `lab/cli.ts`: `runLab` (the world until SIGINT/SIGTERM; with `--kubeconfig`,
 * only the platform host against that cluster, as `platform/main.ts` runs it), and `runStart` (the
 * narrated demo).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import {
  HOST_NAMESPACE, PRESET_TENANTS, PROVIDER_NAME, SERVER_CLUSTER_PROPERTY, startWorld, type World, type WorldFabric,
} from '../world.js';
import { PARKING_LOT } from '../netris/emulator.js';
import { startGpuJobCase } from './gpuJobCase.js';
import { LiveView, describeDurations } from './liveView.js';
import { createLogger } from '../../platform/observability/logger.js';
import { runHost, untilSignal } from '../../platform/main.js';

/** The full lab world (or, with `kubeconfig`, only the platform against that cluster) until a signal. */
export async function runLab(opts: { dir: string; port?: number; kubeconfig?: string; config?: string; sites?: number }): Promise<void> {
  const kubeconfig = opts.kubeconfig ?? argValue('--kubeconfig');
  if (kubeconfig) return runHost({ kubeconfig, config: opts.config ?? argValue('--config') ?? 'platform.yaml', stateDir: opts.dir });
  const dir = resolve(opts.dir);
  await mkdir(dir, { recursive: true }); // the log file opens before the world creates its folders
  const logFile = join(dir, 'lab.log');
  const world = await startWorld({ dir, port: opts.port, timings: 'demo', logger: fileLogger(logFile), sites: opts.sites });
  for (const site of world.sites) {
    await mkdir(join(dir, 'sites', site.name), { recursive: true });
    await site.api.writeKubeconfig(join(dir, 'sites', site.name, 'kubeconfig'));
  }
  console.log([
    `Lab world is up in ${dir} (logs: ${logFile}).`,
    '',
    `  export KUBECONFIG=${world.kubeconfigPath}`,
    ...(world.sites.length > 0
      ? [
        '  kubectl get clusters                           # the connected sites: STATUS Initialized',
        ...world.sites.map((site) => `  kubectl --kubeconfig ${join(dir, 'sites', site.name, 'kubeconfig')} get baremetalhosts -n ${HOST_NAMESPACE}   # ${site.fleet.hosts.length} hosts`),
      ]
      : [`  kubectl get baremetalhosts -n ${HOST_NAMESPACE}`]),
    '  kubectl get nodeproviders,nodetypes',
    '  kubectl create namespace p-demo',
    '  kubectl apply -f - <<EOF',
    ...exampleVci().split('\n').map((l) => `  ${l}`),
    '  EOF',
    '  kubectl get nodeclaims -n p-demo -w',
    `  # tenant access: ${join(dir, 'tenants', '<name>', 'kubeconfig')}`,
    '',
    `Netris fabric: ${world.fabric?.emulator.url ?? 'off'}. Server clusters exist for ${PRESET_TENANTS.join(', ')}`,
    `(named <project>-<vCluster>, e.g. p-demo-tenant-1, VLAN 100). A tenant's hosts join its network when`,
    `its autoNodes properties set ${SERVER_CLUSTER_PROPERTY}, as above; without it they stay in the parking lot.`,
    '',
    `Servers: user data run by ${world.farm.runnerDescription}.`,
    `Dashboard: ${world.platform.dashboardUrl ?? 'off'} (live fleet view; read-only)`,
    `Metrics: ${world.platform.metricsUrl}. SIGHUP reloads the plugin; Ctrl-C stops.`,
  ].join('\n'));
  await untilSignal(world.platform);
  await world.stop();
}

/** `npm start`: the demo on a fresh world with demo timings; throws (exit 1) with the reason on timeout. */
export async function runStart(args: string[]): Promise<void> {
  const timeoutS = Number(argValue('--timeout', args) ?? 180);
  const dir = await mkdtemp(join(tmpdir(), 'metal3-demo-'));
  const logFile = join(dir, 'lab.log');
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`metal3-provider demo: a lab world in ${dir} (platform logs: ${logFile})`);
  let world: World | undefined;
  let ok = false;
  try {
    world = await startWorld({ dir, timings: 'demo', logger: fileLogger(logFile), sites: DEMO_SITES });
    out(`management API ${world.api.url}; fleet: ${world.sites.length > 0 ? `${world.sites.map((site) => `${site.name} ${site.fleet.hosts.length}`).join(', ')} hosts (connected clusters)` : `${world.fleet.hosts.length} hosts`}; metrics ${world.platform.metricsUrl}`);
    out(`servers: user data run by ${world.farm.runnerDescription}`);
    out(`dashboard ${world.platform.dashboardUrl ?? 'off'} (open it to watch the fleet live while the demo runs)`);
    await runDemo(world, out, Date.now() + timeoutS * 1000);
    ok = true;
  } finally {
    await world?.stop();
    if (ok) await rm(dir, { recursive: true, force: true });
    else out(`kept ${dir} for inspection`);
  }
}

const LOFT = { group: 'management.loft.sh', version: 'v1' };
export const DEMO_PROJECT = 'p-demo';
/** The dynamic-pool tenant's project: its machines do not count against the demo project's quota. */
const GPU_PROJECT = 'p-research';
/** The demo's connected clusters: tenant-1 runs in site-a, tenant-2 in site-b. */
const DEMO_SITES = 2;

/**
 * Two tenants of Project demo (machine quota 4) ask for 4 nodes (each on its own VLAN when the world
 * has a fabric); when all joined, cross-tenant reachability is checked, a tenant Node is deleted and
 * its pool gets a new machine, tenant-1 asks for more than the quota allows, then one scales down
 * and the other is deleted. Meanwhile a third tenant's GPU job pulls a DGX host into its dynamic pool,
 * which goes back once the job ended.
 */
async function runDemo(world: World, out: (line: string) => void, deadline: number): Promise<void> {
  const kc = world.kubeConfig;
  const fabric = world.fabric;
  const sites = world.sites;
  const view = new LiveView({
    custom: kc.makeApiClient(CustomObjectsApi), tenants: world.tenants, hostNamespace: HOST_NAMESPACE, project: DEMO_PROJECT,
    ...(sites.length > 0 ? { hostClusters: sites.map((site) => site.kubeConfig.makeApiClient(CustomObjectsApi)) } : {}),
    write: (t) => process.stdout.write(t), tty: Boolean(process.stdout.isTTY),
    ...(fabric ? { ports: () => fabric.emulator.listPorts() } : {}),
  });
  const free = (s: { hosts: { state: string; claim?: string }[] }) => s.hosts.filter((h) => h.state === 'available' && !h.claim).length;
  const total = sites.length > 0 ? sites.reduce((n, site) => n + site.fleet.hosts.length, 0) : world.fleet.hosts.length;
  // With sites, tenant-1 runs in the first site and tenant-2 in the second (node types `<site>-<type>`).
  const typeIn = (site: number, type: string) => (sites.length > 0 ? `${sites[Math.min(site, sites.length - 1)].name}-${type}` : type);
  const [gpu1, gpu2, cpu2] = [typeIn(0, 'gpu-h100'), typeIn(1, 'gpu-h100'), typeIn(1, 'cpu')];
  const network = (tenant: string) => fabric?.serverClusterFor(`${DEMO_PROJECT}/${tenant}`);
  const vlan = (tenant: string) => (fabric ? `, VLAN ${network(tenant)!.vlanId}` : '');
  await view.waitUntil('the fleet to be inspected', (s) => free(s) === total, deadline);
  view.say(`all ${total} hosts available${sites.length > 0 ? ` in ${sites.length} sites (${sites.map((x) => `${x.name}: ${x.fleet.hosts.length}`).join(', ')})` : ''}; ` +
    `creating tenant-1 (2 × ${gpu1}${vlan('tenant-1')}) and tenant-2 (1 × ${gpu2} + 1 × ${cpu2}${vlan('tenant-2')}) in ${DEMO_PROJECT}`);
  const started = Date.now();
  await createProject(kc, DEMO_QUOTA);
  await createTenant(kc, 'tenant-1', [{ name: 'gpu', quantity: 2, nodeType: gpu1 }], network('tenant-1')?.name);
  await createTenant(kc, 'tenant-2', [{ name: 'gpu', quantity: 1, nodeType: gpu2 }, { name: 'cpu', quantity: 1, nodeType: cpu2 }], network('tenant-2')?.name);
  view.say(`tenant-3 (project ${GPU_PROJECT}) has a dynamic pool of ${gpu1} hosts and submits a GPU job: the host provisions a DGX for it, then takes it back`);
  const gpuJob = await startGpuJobCase(world, {
    namespace: GPU_PROJECT, tenant: 'tenant-3', runFor: '15s', consolidateAfter: '10s', nodeType: gpu1,
    serverCluster: fabric?.serverClusterFor(`${GPU_PROJECT}/tenant-3`).name,
  }, deadline, (line) => view.say(line));
  const joined = (s: { nodes: Record<string, string[]> }, t: string) => s.nodes[t]?.length ?? 0;
  await view.waitUntil('4 nodes to join', (s) => joined(s, 'tenant-1') === 2 && joined(s, 'tenant-2') === 2, deadline);
  const joinedCount = 4;
  const isolation = fabric ? checkIsolation(fabric, network('tenant-1')!.name, network('tenant-2')!.name) : undefined;
  view.say(`all 4 nodes joined${isolation ? `; tenant isolation ${isolation.ok ? 'holds' : 'BROKEN'}` : ''}`);
  const liveness = await replaceDeletedNode(world, view, cpu2, deadline);
  const quota = await askBeyondQuota(kc, view, gpu1, network('tenant-1')?.name, deadline);
  view.say('scaling tenant-1 to 1 and deleting tenant-2');
  await scaleTenant(kc, 'tenant-1', [{ name: 'gpu', quantity: 1, nodeType: gpu1 }], network('tenant-1')?.name);
  await deleteTenant(kc, 'tenant-2');
  const parked = (s: { hosts: { state: string; network?: string }[] }) =>
    !fabric || s.hosts.every((h) => h.state !== 'available' || h.network === PARKING_LOT);
  const gpuTimeline = await gpuJob.done;
  const done = await view.waitUntil('released hosts to be cleaned, available and parked', (s) =>
    s.claims.length === 1 && joined(s, 'tenant-1') === 1 && free(s) === total - 1 && parked(s), deadline);

  const claims = [...view.claims.values()];
  const span = (from: number | undefined, to: number | undefined) => (from !== undefined && to !== undefined ? [to - from] : []);
  const returned = [...view.releases.entries()].filter(([, r]) => r.returnedAt);
  out('');
  out(`Summary (${((Date.now() - started) / 1000).toFixed(0)} s from the first request to the last host back)`);
  out(`  claim → provisioned    ${describeDurations(claims.flatMap((c) => span(c.createdAt, c.provisionedAt)), 'claims')}`);
  out(`  provisioned → joined   ${describeDurations(claims.flatMap((c) => span(c.provisionedAt, c.joinedAt)), 'claims')}`);
  out(`  release → available    ${describeDurations(returned.map(([, r]) => r.returnedAt! - r.releasedAt), 'hosts')}`);
  out(`  nodes joined           ${joinedCount} (tenant-1 2, tenant-2 2); tenant-1 keeps ${joined(done, 'tenant-1')}`);
  const secs = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(0)} s`;
  out(`  dynamic pool (tenant-3) GPU job → ${gpuTimeline.nodeType} claim ${secs(gpuTimeline.claimCreated)}, Running on ${gpuTimeline.host} ${secs(gpuTimeline.running)}, ` +
    `done ${secs(gpuTimeline.succeeded)}, consolidated (${gpuTimeline.disruptionReason}) ${secs(gpuTimeline.consolidated)}, host back ${secs(gpuTimeline.hostAvailable)}`);
  out(`  hosts returned         ${returned.map(([h]) => h).join(', ') || 'none'}: cleaned and available (${free(done)} of ${total} free)`);
  out(`  liveness               node ${liveness.deleted} deleted from tenant-2: its claim released, the pool replaced it with node ${liveness.replacement}`);
  out(`  project quota          tenant-1 asked for 3 gpu nodes: ${quota}`);
  if (!fabric || !isolation) return;
  const inLot = done.hosts.filter((h) => h.network === PARKING_LOT).map((h) => h.name);
  const strays = returned.map(([h]) => h).filter((h) => !inLot.includes(h));
  const t1 = network('tenant-1')!;
  const t2 = network('tenant-2')!;
  out(`  tenant networks        tenant-1 VLAN ${t1.vlanId} (${t1.subnet}), tenant-2 VLAN ${t2.vlanId} (${t2.subnet})`);
  for (const line of isolation.lines) out(`  isolation              ${line}`);
  out(`  ports parked           ${strays.length === 0 ? `every released host is back in the parking lot (${inLot.length} of ${total} hosts there)` : `NOT parked: ${strays.join(', ')}`}`);
  if (!isolation.ok || strays.length > 0) throw new Error('the demo found a tenant network problem (see the summary above)');
}

/**
 * Reachability while both tenants are attached, from the fabric's own model: a tenant-1 host reaches
 * its network, but neither tenant-2's network nor a tenant-2 host (and not the other way round).
 */
function checkIsolation(fabric: WorldFabric, a: string, b: string): { ok: boolean; lines: string[] } {
  const first = (network: string) => {
    const mac = fabric.emulator.portsOf(network)[0]?.mac;
    return { mac: mac ?? '', host: fabric.cabling.find((p) => p.mac === mac)?.host ?? `(no host in ${network})` };
  };
  const [hostA, hostB] = [first(a), first(b)];
  const checks: { what: string; reach: boolean; want: boolean }[] = [
    { what: `${hostA.host} → its own network ${a}`, reach: fabric.emulator.canReach(hostA.mac, `tenant:${a}`), want: true },
    { what: `${hostA.host} → network ${b}`, reach: fabric.emulator.canReach(hostA.mac, `tenant:${b}`), want: false },
    { what: `${hostA.host} → ${hostB.host} (${b})`, reach: fabric.emulator.canReach(hostA.mac, hostB.mac), want: false },
    { what: `${hostB.host} → ${hostA.host} (${a})`, reach: fabric.emulator.canReach(hostB.mac, hostA.mac), want: false },
  ];
  return {
    ok: checks.every((c) => c.reach === c.want),
    lines: checks.map((c) => `${c.what}: ${c.reach ? 'reachable' : 'denied'}${c.reach === c.want ? '' : ' (WRONG)'}`),
  };
}

export interface StaticPool { name: string; quantity: number; nodeType: string }

/** Machines Project demo may hold: exactly what the two tenants ask for. */
const DEMO_QUOTA = 4;

/**
 * Deletes tenant-2's cpu Node (as an operator might; found by the instance-type label the host set on
 * it); its claim is released and the pool brings a new machine.
 */
async function replaceDeletedNode(world: World, view: LiveView, cpuType: string, deadline: number): Promise<{ deleted: string; replacement: string }> {
  const tenant = world.tenants.get(DEMO_PROJECT, 'tenant-2');
  if (!tenant) throw new Error('tenant-2 is not up');
  const core = tenant.api.kubeConfig().makeApiClient(CoreV1Api);
  const cpuNodes = async () => (await core.listNode({ labelSelector: `node.kubernetes.io/instance-type=${PROVIDER_NAME}.${cpuType}` })).items
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata!.name!);
  const [deleted] = await cpuNodes();
  if (!deleted) throw new Error('tenant-2 has no Ready node labelled as a cpu node');
  view.say(`deleting node ${deleted} from tenant-2: its claim is released and the pool gets a new machine`);
  await core.deleteNode({ name: deleted });
  let replacement: string | undefined;
  await view.waitUntil('a replacement node in tenant-2', (s) => {
    replacement = (s.nodes['tenant-2'] ?? []).find((n) => n !== deleted && n.startsWith('tenant-2-cpu-'));
    return !!replacement;
  }, deadline);
  return { deleted, replacement: replacement! };
}

/** tenant-1 asks for 3 gpu nodes; the project quota stops the third claim and the VCI says so. */
async function askBeyondQuota(kc: KubeConfig, view: LiveView, gpuType: string, serverCluster: string | undefined, deadline: number): Promise<string> {
  view.say(`tenant-1 asks for 3 gpu nodes: Project demo allows ${DEMO_QUOTA} machines`);
  await scaleTenant(kc, 'tenant-1', [{ name: 'gpu', quantity: 3, nodeType: gpuType }], serverCluster);
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (;;) {
    const vci = (await custom.getNamespacedCustomObject({ ...LOFT, namespace: DEMO_PROJECT, plural: 'virtualclusterinstances', name: 'tenant-1' })) as {
      status?: { conditions?: { type: string; status: string; message: string }[] };
    };
    const refused = vci.status?.conditions?.find((c) => c.type === 'WithinQuota' && c.status === 'False');
    if (refused) {
      view.say(`tenant-1: ${refused.message}`);
      return refused.message;
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for tenant-1 to report the project quota');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function createProject(kc: KubeConfig, nodeClaims: number): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    ...LOFT, plural: 'projects',
    body: { apiVersion: 'management.loft.sh/v1', kind: 'Project', metadata: { name: DEMO_PROJECT.replace(/^p-/, '') }, spec: { displayName: 'Demo', quotas: { project: { nodeclaims: String(nodeClaims) } } } },
  });
}

/** vcluster.yaml of a tenant; `serverCluster` puts its hosts on that Netris network (autoNodes properties → claims). */
function vciValues(pools: StaticPool[], serverCluster?: string): string {
  return stringify({
    privateNodes: {
      enabled: true,
      autoNodes: [{
        provider: PROVIDER_NAME,
        ...(serverCluster ? { properties: { [SERVER_CLUSTER_PROPERTY]: serverCluster } } : {}),
        static: pools.map((p) => ({ name: p.name, quantity: p.quantity, nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: p.nodeType }] })),
      }],
    },
  });
}

function exampleVci(): string {
  return stringify({
    apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name: 'tenant-1', namespace: DEMO_PROJECT },
    spec: { template: { helmRelease: { values: vciValues([{ name: 'gpu', quantity: 1, nodeType: 'gpu-h100' }], 'p-demo-tenant-1') } } },
  }).trimEnd();
}

async function createTenant(kc: KubeConfig, name: string, pools: StaticPool[], serverCluster?: string): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: DEMO_PROJECT } } }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  });
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...LOFT, namespace: DEMO_PROJECT, plural: 'virtualclusterinstances',
    body: { apiVersion: 'management.loft.sh/v1', kind: 'VirtualClusterInstance', metadata: { name }, spec: { template: { helmRelease: { values: vciValues(pools, serverCluster) } } } },
  });
}

async function scaleTenant(kc: KubeConfig, name: string, pools: StaticPool[], serverCluster?: string): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({
    ...LOFT, namespace: DEMO_PROJECT, plural: 'virtualclusterinstances', name,
    body: { spec: { template: { helmRelease: { values: vciValues(pools, serverCluster) } } } },
  }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

async function deleteTenant(kc: KubeConfig, name: string): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ ...LOFT, namespace: DEMO_PROJECT, plural: 'virtualclusterinstances', name });
}

function fileLogger(path: string) {
  const stream = createWriteStream(path, { flags: 'a' });
  return createLogger({ level: process.env.LOG_LEVEL ?? 'info', destination: stream });
}

function argValue(flag: string, argv: string[] = process.argv): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}
