/**
 * The multi-site bench (#15): N sites (connected clusters), each its own lab API server in a child
 * process (siteServer.ts) with its own fleet in `metal3-system`, registered in the management cluster
 * (also a child) as a `management.loft.sh/v1` Cluster naming its kubeconfig Secret. This process is the
 * host as far as the plugin sees it: the platform's ClusterDirectory (platform/clusters) reads the
 * Clusters and hands the plugin one client configuration per site; one NodeProvider has the bench's three
 * node types per site (`<site>-gpu-h100`, ...), each with its site's clusterRef (zone = the site) and
 * its own IP pool. Then a burst of claims over the tenants, spread evenly over the sites. Only the plugin
 * (and the host's directory) run here, so this process's RSS is the plugin's.
 */
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { isTransient, type NodeClaimView, type NodeTypeView, type ProviderConfig } from '../../plugin/contract.js';
import { startClusterDirectory } from '../../platform/clusters/index.js';
import { registerCluster, siteName } from '../../lab/sites/labSite.js';
import type { Verb } from '../../lab/kube/index.js';
import { ALL_VERBS, WRITE_VERBS, withDeadline } from './burst.js';
import { BurstProfiler } from './cpuProfile.js';
import { heapUsedAfterGc, mean, MiB, percentile, RssSampler } from './metrics.js';
import { PluginStrategy } from './pluginStrategy.js';
import { claimBurst, HOST_NAMESPACE, providerConfig } from './scenario.js';
import { SiteServerProcess, type SiteServerSnapshot } from './siteServer.js';
import { CountingLogger } from './strategy.js';
import { inPool } from './world.js';
import { sleep, waitFor } from '../support/waitFor.js';

const CLAIM_DEADLINE_MS = 120_000;
/** Three sites' first LISTs of 10,000 hosts each, on a loaded 2-core machine. */
const SITES_READY_MS = 300_000;

export interface SitesOptions {
  sites: number;
  hostsPerSite: number;
  claims: number;
  concurrency: number;
  latencyMs: number;
  /** The site server's entry; default the compiled siteServer.js (tests pass a bundle of the source). */
  serverEntry?: string;
  /** A `.cpuprofile` of this process (the plugin) during the burst; each API server's goes beside it (`server-<name>.cpuprofile`). */
  cpuProfileFile?: string;
}

export interface SiteFigures {
  name: string;
  hosts: number;
  /** Claims of the burst that went to this site's node types (and succeeded). */
  claims: number;
  setupMs: number;
  requestsPerNode: Record<Verb, number>;
  /** Resource (plural) -> verb -> requests per node, non-zero ones only. */
  byResourcePerNode: ByResource;
  writesPerNode: number;
  bytesPerNode: number;
  http409PerNode: number;
  /** The site API's handler time / burst wall time. */
  apiShare: number;
  serverRssMiB: number;
  /** CPU time of the site's server process during the burst. */
  serverCpuMs: number;
}

export interface SitesResult {
  sites: number;
  hostsPerSite: number;
  claims: number;
  concurrency: number;
  latencyMs: number;
  /** From forking the servers to every site's hosts `available` (the sites are set up in parallel). */
  setupMs: number;
  /** activate + configure until every site's node types are available (each site's first LIST). */
  warmUpMs: number;
  wallMs: number;
  claimsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  perSite: SiteFigures[];
  /** The management cluster's requests during the burst (OSImage, SSHKey, Cluster probes), per node. */
  managementRequestsPerNode: Record<Verb, number>;
  managementByResourcePerNode: ByResource;
  /** CPU time during the burst: this process (plugin + host directory) and the management server; with the sites' (perSite) vs 2 × wall, how CPU-bound the burst was. */
  cpuMs: { plugin: number; management: number };
  http409PerNode: number;
  hostRacesPerNode: number;
  /** createNode calls that threw TransientError and were retried after the error's hint, as the host's launch step does. */
  transientRetries: number;
  firstTransient?: string;
  selectionMeanMs: number;
  selectionP99Ms: number;
  /** This process (plugin + the host's cluster directory): after a full GC before activate and with the cache warm, and the peak. */
  rss: { beforeMiB: number; warmMiB: number; peakWarmUpMiB: number; peakBurstMiB: number };
  /** Heap after a full GC with the cache warm minus before activate: what the plugin keeps for all sites' hosts. */
  cacheHeapMiB: number;
  /** The node types as the plugin publishes them after warm-up (name, zone, capacity), for the report. */
  nodeTypes: Pick<NodeTypeView, 'name' | 'zone' | 'capacity'>[];
  failures: number;
  firstFailure?: string;
}

export type ByResource = Record<string, Partial<Record<Verb, number>>>;

export const SITES_DEFAULTS = { sites: 3, hostsPerSite: 10_000, claims: 3000 } as const;

/** The bench's node types once per site: `<site>-<type>`, the site's clusterRef and IP pool (10.(20+i).0.0/16). */
export function sitesProviderConfig(sites: string[]): ProviderConfig {
  const single = providerConfig();
  const metal3 = single.spec.metal3 as { nodeTypes: { name: string; properties?: Record<string, string> }[] };
  const nodeTypes = sites.flatMap((site, index) => metal3.nodeTypes.map((type) => ({
    ...type,
    name: `${site}-${type.name}`,
    properties: { ...type.properties, 'metal3.vcluster.com/network-cidr': `10.${20 + index}.0.1/16`, 'metal3.vcluster.com/dns-servers': `10.${20 + index}.0.53` },
    clusterRef: { cluster: site, namespace: HOST_NAMESPACE },
  })));
  return { name: single.name, spec: { ...single.spec, metal3: { clusterRef: { cluster: sites[0], namespace: HOST_NAMESPACE }, nodeTypes } } };
}

/** The single-site burst with claim i sent to site i mod N (each site gets every type and tenant alike). */
export function sitesBurst(count: number, sites: string[], runId: string): NodeClaimView[] {
  return claimBurst(count, runId).map((claim, i) => ({ ...claim, nodeType: `${sites[i % sites.length]}-${claim.nodeType}` }));
}

const serverProfile = (opts: SitesOptions, name: string) => opts.cpuProfileFile && path.join(path.dirname(opts.cpuProfileFile), `server-${name}.cpuprofile`);

export async function runSitesScenario(opts: SitesOptions, progress: (line: string) => void = () => undefined): Promise<SitesResult> {
  const names = Array.from({ length: opts.sites }, (_, i) => siteName(i));
  const servers: SiteServerProcess[] = [];
  const started = performance.now();
  const stopAll = () => Promise.all(servers.map((s) => s.stop()));
  try {
    const starting = [{ name: 'management', hosts: 0 }, ...names.map((name) => ({ name, hosts: opts.hostsPerSite }))]
      .map((s) => SiteServerProcess.start({ ...s, latencyMs: opts.latencyMs, entry: opts.serverEntry, cpuProfileFile: serverProfile(opts, s.name) }).then((server) => (servers.push(server), server)));
    const [management, ...sites] = await Promise.all(starting);
    const setupMs = performance.now() - started;
    progress(`sites: ${opts.sites} × ${opts.hostsPerSite} hosts ready in ${(setupMs / 1000).toFixed(1)} s (${sites.map((s) => `${s.name} ${(s.setupMs / 1000).toFixed(1)} s`).join(', ')})`);
    const managementKc = new KubeConfig();
    managementKc.loadFromString(management!.kubeconfig);
    for (const site of sites) await registerCluster(managementKc, site.name, site.kubeconfig);
    return await measure(opts, names, managementKc, management!, sites, setupMs, progress);
  } finally {
    await stopAll();
  }
}

async function measure(
  opts: SitesOptions, names: string[], managementKc: KubeConfig, management: SiteServerProcess, sites: SiteServerProcess[], setupMs: number,
  progress: (line: string) => void,
): Promise<SitesResult> {
  const directory = await startClusterDirectory({ kubeConfig: managementKc, logger: new CountingLogger(), clock: { now: () => new Date() } });
  const strategy = new PluginStrategy(managementKc, { clusters: directory, config: sitesProviderConfig(names) });
  try {
    const heapBefore = heapUsedAfterGc();
    const rssBefore = process.memoryUsage().rss;
    const warmUpSampler = new RssSampler();
    const warmStart = performance.now();
    await strategy.warmUp();
    // configure() lets a site's first LIST finish in the background after 10 s: the burst waits for all.
    const nodeTypes = await waitFor(async () => {
      const types = await strategy.provider.nodeTypes();
      return types.every((t) => !t.unavailable && t.capacity.total > 0) && types;
    }, { what: 'every site\'s node types available', timeoutMs: SITES_READY_MS, everyMs: 100 });
    const warmUpMs = performance.now() - warmStart;
    const peakWarmUp = warmUpSampler.stop();
    const heapWarm = heapUsedAfterGc();
    const rssWarm = process.memoryUsage().rss;
    progress(`sites: plugin warm in ${(warmUpMs / 1000).toFixed(1)} s, RSS ${(rssWarm / MiB).toFixed(0)} MiB; ${opts.claims} claims...`);

    const claims = sitesBurst(opts.claims, names, 's1');
    await Promise.all([management, ...sites].map((s) => s.reset()));
    const profiler = opts.cpuProfileFile ? new BurstProfiler() : undefined;
    await profiler?.start();
    const sampler = new RssSampler();
    const latencies: number[] = [];
    const perSite = new Map<string, number>();
    let failures = 0;
    let firstFailure: string | undefined;
    let transientRetries = 0;
    let firstTransient: string | undefined;
    // The host requeues a claim whose createNode threw TransientError (a site's Cluster not ready, API trouble) after its hint.
    const launch = async (claim: NodeClaimView, deadline: number): Promise<void> => {
      for (;;) {
        try {
          return await strategy.createNode(claim);
        } catch (err) {
          const wait = (err as { retryAfterMs?: number }).retryAfterMs ?? 1000;
          if (!isTransient(err) || performance.now() + wait > deadline) throw err;
          transientRetries++;
          firstTransient ??= (err as Error).message;
          await sleep(wait);
        }
      }
    };
    const cpuBefore = process.cpuUsage();
    const burstStart = performance.now();
    await inPool(claims, opts.concurrency, async (claim) => {
      const t0 = performance.now();
      try {
        await withDeadline(launch(claim, t0 + CLAIM_DEADLINE_MS), CLAIM_DEADLINE_MS, `createNode ${claim.namespace}/${claim.name}`);
        latencies.push(performance.now() - t0);
        const site = names.find((name) => claim.nodeType.startsWith(`${name}-`))!;
        perSite.set(site, (perSite.get(site) ?? 0) + 1);
      } catch (err) {
        failures++;
        firstFailure ??= `${(err as Error).name}: ${(err as Error).message}`;
      }
    });
    const wallMs = performance.now() - burstStart;
    const cpuPlugin = process.cpuUsage(cpuBefore);
    const peakBurst = sampler.stop();
    if (opts.cpuProfileFile) await profiler?.stop(opts.cpuProfileFile);
    const [managementStats, ...siteStats] = await Promise.all([management, ...sites].map((s) => s.snapshot()));
    const done = Math.max(1, latencies.length);
    const selections = strategy.selectionMs();
    return {
      sites: opts.sites,
      hostsPerSite: opts.hostsPerSite,
      claims: opts.claims,
      concurrency: opts.concurrency,
      latencyMs: opts.latencyMs,
      setupMs,
      warmUpMs,
      wallMs,
      claimsPerSecond: latencies.length / (wallMs / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      perSite: sites.map((site, i) => siteFigures(site, opts.hostsPerSite, perSite.get(site.name) ?? 0, siteStats[i]!, wallMs)),
      managementRequestsPerNode: perNode(managementStats!, done),
      managementByResourcePerNode: byResource(managementStats!, done),
      cpuMs: { plugin: (cpuPlugin.user + cpuPlugin.system) / 1000, management: managementStats!.cpuMs },
      http409PerNode: siteStats.reduce((s, x) => s + x.http409, managementStats!.http409) / done,
      hostRacesPerNode: strategy.conflicts() / done,
      transientRetries,
      firstTransient,
      selectionMeanMs: mean(selections),
      selectionP99Ms: percentile(selections, 99),
      rss: { beforeMiB: rssBefore / MiB, warmMiB: rssWarm / MiB, peakWarmUpMiB: peakWarmUp / MiB, peakBurstMiB: peakBurst / MiB },
      cacheHeapMiB: (heapWarm - heapBefore) / MiB,
      nodeTypes: nodeTypes.map((t) => ({ name: t.name, zone: t.zone, capacity: t.capacity })),
      failures,
      firstFailure,
    };
  } finally {
    await strategy.dispose();
    await directory.stop();
  }
}

function perNode(snapshot: SiteServerSnapshot, nodes: number): Record<Verb, number> {
  return Object.fromEntries(ALL_VERBS.map((v) => [v, snapshot.stats.requests[v] / Math.max(1, nodes)])) as Record<Verb, number>;
}

function byResource(snapshot: SiteServerSnapshot, nodes: number): ByResource {
  return Object.fromEntries(Object.entries(snapshot.stats.byResource).map(([resource, counts]) => [
    resource,
    Object.fromEntries(ALL_VERBS.filter((v) => counts[v] > 0).map((v) => [v, counts[v] / Math.max(1, nodes)])),
  ]));
}

function siteFigures(site: SiteServerProcess, hosts: number, claims: number, snapshot: SiteServerSnapshot, wallMs: number): SiteFigures {
  const requestsPerNode = perNode(snapshot, claims);
  return {
    name: site.name,
    hosts,
    claims,
    setupMs: site.setupMs,
    requestsPerNode,
    byResourcePerNode: byResource(snapshot, claims),
    writesPerNode: WRITE_VERBS.reduce((s, v) => s + requestsPerNode[v], 0),
    bytesPerNode: snapshot.stats.bytesSent / Math.max(1, claims),
    http409PerNode: snapshot.http409 / Math.max(1, claims),
    apiShare: snapshot.stats.handlerMs / wallMs,
    serverRssMiB: snapshot.rssMiB,
    serverCpuMs: snapshot.cpuMs,
  };
}
