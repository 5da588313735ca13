/**
 * The multi-site bench's code path, small (3 sites × 60 hosts, 30 claims): site API servers in child
 * processes (a bundle of test/bench/siteServer.ts, as the bench forks the compiled one), registered as
 * Clusters, the host's cluster directory and the plugin in this process. Timing goals stay in the bench.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runSitesScenario, type SitesResult } from '../bench/sites.js';
import { judgeSites, sitesMarkdown } from '../bench/sitesReport.js';
import { REPO_ROOT } from '../platform/host/helpers.js';

const SITES = ['site-a', 'site-b', 'site-c'];

describe('npm run bench -- --sites, at smoke size', () => {
  let dir: string;
  let result: SitesResult;

  beforeAll(async () => {
    await mkdir(join(REPO_ROOT, '.lab'), { recursive: true });
    dir = await mkdtemp(join(REPO_ROOT, '.lab', 'bench-sites-'));
    const serverEntry = join(dir, 'siteServer.mjs');
    await build({
      entryPoints: [join(REPO_ROOT, 'test/bench/siteServer.ts')], outfile: serverEntry,
      bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
    });
    result = await runSitesScenario({ sites: 3, hostsPerSite: 60, claims: 30, concurrency: 10, latencyMs: 0, serverEntry });
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('claims every node in the site of its node type, through that site\'s own API server', () => {
    expect({ failures: result.failures, firstFailure: result.firstFailure }).toEqual({ failures: 0, firstFailure: undefined });
    expect(result.perSite.map((s) => [s.name, s.hosts, s.claims])).toEqual(SITES.map((name) => [name, 60, 10]));
    for (const site of result.perSite) {
      // Each claim's host write, data Secret and IP reservation reached its site's server, none another's.
      expect({ site: site.name, UPDATE: site.requestsPerNode.UPDATE, CREATE: site.requestsPerNode.CREATE >= 2 }).toEqual({ site: site.name, UPDATE: 1, CREATE: true });
      expect(site.requestsPerNode.LIST).toBe(0);
    }
    // The management cluster holds no hosts: nothing of the claims is written there.
    const m = result.managementRequestsPerNode;
    expect(m.CREATE + m.UPDATE + m.PATCH + m.DELETE).toBe(0);
    // OSImages and SSHKeys come from the plugin's watches: no GET per claim (it was 2); what is left is the
    // cluster directory re-reading the kubeconfig Secrets every 10 s.
    expect(m.GET).toBeLessThan(0.5);
  });

  it('publishes each site\'s node types with the site as zone and that site\'s hosts as capacity', () => {
    expect(result.nodeTypes).toEqual(SITES.flatMap((site) => [
      { name: `${site}-gpu-h100`, zone: site, capacity: { total: 15, claimed: 0 } },
      { name: `${site}-cpu-large`, zone: site, capacity: { total: 45, claimed: 0 } },
      { name: `${site}-cpu-small`, zone: site, capacity: { total: 45, claimed: 0 } },
    ]));
  });

  it('measures the plugin\'s process apart from the site servers and reports a verdict per goal', () => {
    expect(result.rss.warmMiB).toBeGreaterThan(0);
    expect(result.rss.peakBurstMiB).toBeGreaterThan(0);
    expect(result.rss.peakWarmUpMiB).toBeGreaterThan(0);
    expect(Number.isFinite(result.cacheHeapMiB)).toBe(true);
    expect(result.cpuMs.plugin).toBeGreaterThan(0);
    for (const site of result.perSite) expect({ site: site.name, rss: site.serverRssMiB > 0, cpu: site.serverCpuMs > 0 }).toEqual({ site: site.name, rss: true, cpu: true });
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms);
    const markdown = sitesMarkdown(result).join('\n');
    for (const site of SITES) expect(markdown).toMatch(new RegExp(`^\\| ${site} \\| 60 \\| 10 \\|`, 'm'));
    const targets = judgeSites(result);
    expect(targets.map((t) => t.target)).toEqual([
      expect.stringContaining('within 10 s wall'), expect.stringContaining('hosts cached'), expect.stringContaining('while warming up'), expect.stringContaining('no LIST per claim'),
    ]);
    for (const t of targets) expect(typeof t.pass).toBe('boolean');
  });
});
