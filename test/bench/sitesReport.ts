/** The multi-site scenario in the bench report: its markdown tables and its targets (reported, never asserted). */
import type { Target } from './report.js';
import type { ByResource, SitesResult } from './sites.js';

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const MB_PER_MIB = 1.048576;

/** Plugin RSS (this process) while all sites' hosts are cached: with the cache warm, and the peak during the burst. */
export const cachedRssMiB = (r: SitesResult) => Math.max(r.rss.warmMiB, r.rss.peakBurstMiB);

/** The least wall time the burst's measured CPU allows on 2 idle cores: the plugin runs on one thread. */
export function cpuFloorMs(r: SitesResult): number {
  const all = r.cpuMs.plugin + r.cpuMs.management + r.perSite.reduce((sum, s) => sum + s.serverCpuMs, 0);
  return Math.max(r.cpuMs.plugin, all / 2);
}

export function sitesMarkdown(r: SitesResult): string[] {
  const hosts = r.sites * r.hostsPerSite;
  const lines = [
    '',
    `Multi-site: ${r.sites} sites × ${r.hostsPerSite} hosts (each site its own lab API server in a child process, registered as a Cluster; ` +
      `the plugin and the host's cluster directory in their own process), ${r.claims} claims over 50 tenants, claim i to site i mod ${r.sites}, ` +
      `${r.concurrency} in flight, ${r.latencyMs} ms injected latency per request.`,
    '',
    '| multi-site | claims | setup s | warm-up s | wall s | claims/s | p50 ms | p99 ms | 409/node (host races) | select ms mean / p99 | plugin RSS MiB: before / warm / peak burst (peak warm-up) | cache heap MiB (KiB/host) | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${r.sites} × ${r.hostsPerSite} | ${r.claims} | ${f(r.setupMs / 1000)} | ${f(r.warmUpMs / 1000)} | ${f(r.wallMs / 1000, 2)} | ${f(r.claimsPerSecond)} | ` +
      `${f(r.p50Ms)} | ${f(r.p99Ms)} | ${f(r.http409PerNode, 3)} (${f(r.hostRacesPerNode, 3)}) | ${f(r.selectionMeanMs, 3)} / ${f(r.selectionP99Ms, 3)} | ` +
      `${f(r.rss.beforeMiB, 0)} / ${f(r.rss.warmMiB, 0)} / ${f(r.rss.peakBurstMiB, 0)} (${f(r.rss.peakWarmUpMiB, 0)}) | ${f(r.cacheHeapMiB)} (${f((r.cacheHeapMiB * 1024) / hosts, 2)}) | ${r.failures} |`,
    '',
    '| site | hosts | claims | setup s | LIST/node | GET/node | WATCH/node | writes/node | KiB sent/node | 409/node | API share | server CPU s | server RSS MiB |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of r.perSite) {
    const q = s.requestsPerNode;
    lines.push(`| ${s.name} | ${s.hosts} | ${s.claims} | ${f(s.setupMs / 1000)} | ${f(q.LIST, 3)} | ${f(q.GET, 2)} | ${f(q.WATCH, 2)} | ` +
      `${f(s.writesPerNode, 2)} (C ${f(q.CREATE, 2)} U ${f(q.UPDATE, 2)} P ${f(q.PATCH, 2)} D ${f(q.DELETE, 2)}) | ${f(s.bytesPerNode / 1024)} | ` +
      `${f(s.http409PerNode, 3)} | ${f(s.apiShare * 100)}% | ${f(s.serverCpuMs / 1000)} | ${f(s.serverRssMiB, 0)} |`);
  }
  const m = r.managementRequestsPerNode;
  lines.push(`| management (per node of the burst) | 0 | — | — | ${f(m.LIST, 2)} | ${f(m.GET, 2)} | ${f(m.WATCH, 2)} | ` +
    `${f(m.CREATE + m.UPDATE + m.PATCH + m.DELETE, 2)} | — | — | — | ${f(r.cpuMs.management / 1000)} | — |`);
  const cpuTotal = r.cpuMs.plugin + r.cpuMs.management + r.perSite.reduce((sum, s) => sum + s.serverCpuMs, 0);
  lines.push('', `CPU during the burst: plugin process ${f(r.cpuMs.plugin / 1000)} s, all bench processes ${f(cpuTotal / 1000)} s ` +
    `in ${f(r.wallMs / 1000)} s wall (${f(cpuTotal / r.wallMs, 2)} cores busy of the machine's; other jobs share them). ` +
    `On 2 idle cores the burst could not take less than ${f(cpuFloorMs(r) / 1000)} s (the plugin is one thread: max(its CPU, all CPU / 2)).`);
  const resources = (b: ByResource) => Object.entries(b).map(([resource, verbs]) =>
    `${resource} ${Object.entries(verbs).map(([verb, n]) => `${verb} ${f(n ?? 0, 2)}`).join(' ')}`).join(', ') || 'none';
  lines.push('', `Requests per node by resource: ${r.perSite.map((s) => `${s.name}: ${resources(s.byResourcePerNode)}`).join('; ')}; ` +
    `management: ${resources(r.managementByResourcePerNode)}.`);
  lines.push('', `Node types: ${r.nodeTypes.map((t) => `${t.name} (zone ${t.zone ?? 'none'}, ${t.capacity.total} hosts)`).join(', ')}.`);
  if (r.transientRetries) lines.push('', `Transient errors retried after their hint (as the host's launch step does): ${r.transientRetries}; first: ${r.firstTransient}`);
  if (r.firstFailure) lines.push('', `First failure (multi-site): ${r.firstFailure}`);
  return lines;
}

export function judgeSites(r: SitesResult): Target[] {
  const hosts = r.sites * r.hostsPerSite;
  const rss = cachedRssMiB(r);
  const perTenThousand = (rss * MB_PER_MIB) / (hosts / 10_000);
  const warmUpPerTenThousand = (r.rss.peakWarmUpMiB * MB_PER_MIB) / (hosts / 10_000);
  const maxList = r.perSite.reduce((m, s) => Math.max(m, s.requestsPerNode.LIST), 0);
  return [
    {
      target: `multi-site: ${r.claims} claims over ${r.sites} sites × ${r.hostsPerSite} hosts within 10 s wall`,
      measured: `${f(r.wallMs / 1000, 2)} s, ${f(r.claimsPerSecond)} claims/s, ${r.failures} failed; CPU floor on 2 idle cores ${f(cpuFloorMs(r) / 1000)} s`,
      pass: r.wallMs <= 10_000 && r.failures === 0,
    },
    {
      target: 'multi-site: plugin RSS ≤ 200 MB per 10,000 hosts cached',
      measured: `${f(rss, 0)} MiB (warm ${f(r.rss.warmMiB, 0)}, burst peak ${f(r.rss.peakBurstMiB, 0)}) for ${hosts} hosts = ${f(perTenThousand, 0)} MB per 10,000; ` +
        `heap after GC +${f(r.cacheHeapMiB)} MiB for the cache`,
      pass: perTenThousand <= 200,
    },
    {
      target: 'multi-site: plugin RSS ≤ 200 MB per 10,000 hosts while warming up (the sites\' first LISTs)',
      measured: `${f(r.rss.peakWarmUpMiB, 0)} MiB peak during warm-up for ${hosts} hosts = ${f(warmUpPerTenThousand, 0)} MB per 10,000`,
      pass: warmUpPerTenThousand <= 200,
    },
    {
      target: 'multi-site: no LIST per claim once warm, 409s < 0.05 per node',
      measured: `max ${f(maxList, 3)} LIST/node in a site, ${f(r.http409PerNode, 3)} 409s/node`,
      pass: maxList === 0 && r.http409PerNode < 0.05,
    },
  ];
}
