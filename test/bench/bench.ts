/**
 * Runs the bench matrix: for each fleet size and burst, a fresh lab world per strategy (plugin, then
 * the CAPM3-style baseline), then the render and hot-reload measurements.
 */
import 'reflect-metadata'; // before any tsyringe-decorated class loads (the baseline builds provider classes directly)
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { BaselineStrategy } from './baseline.js';
import { runScenario, withDeadline, type ScenarioResult } from './burst.js';
import { DYNAMIC_DEFAULTS, runDynamicScenario } from './dynamic.js';
import { measureReload, renderThroughput, type ReloadResult } from './extras.js';
import { PluginStrategy } from './pluginStrategy.js';
import { SITES_DEFAULTS, type SitesOptions } from './sites.js';
import { runSitesInChild } from './sitesProcess.js';
import { judgeSites } from './sitesReport.js';
import type { BenchOptions } from './profiles.js';
import { ratiosOf, type BenchReport, type Machine } from './report.js';
import { judgeDynamic, judgeTargets } from './targets.js';
import { startWorld } from './world.js';

const RELOAD_DEADLINE_MS = 120_000;

export type Progress = (line: string) => void;

export async function runBench(opts: BenchOptions, progress: Progress = () => undefined): Promise<BenchReport> {
  const scenarios: ScenarioResult[] = [];
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  if (opts.dynamicOnly) {
    const dynamic = await runDynamicScenario(DYNAMIC_DEFAULTS, progress, opts.cpuProfDir && path.join(opts.cpuProfDir, 'dynamic.cpuprofile'));
    return { options: opts, machine: machine(), scenarios, ratios: [], dynamic, targets: judgeDynamic(dynamic) };
  }
  if (opts.sitesOnly) {
    const sites = await runSitesInChild(sitesOptions(opts), progress);
    return { options: opts, machine: machine(), scenarios, ratios: [], sites, targets: judgeSites(sites) };
  }
  for (const hosts of opts.fleets) {
    for (const claims of opts.bursts.filter((c) => c <= hosts)) {
      for (const strategy of ['plugin', 'baseline'] as const) {
        const world = await startWorld({ hosts, latencyMs: opts.latencyMs });
        progress(`${strategy}: ${hosts} hosts ready in ${(world.setupMs / 1000).toFixed(1)} s; ${claims} claims...`);
        const cpuProfileFile = opts.cpuProfDir && path.join(opts.cpuProfDir, `${strategy}-${hosts}-${claims}.cpuprofile`);
        try {
          const result = strategy === 'plugin'
            ? await runScenario(world, new PluginStrategy(world.kc), { claims, concurrency: opts.concurrency, latencyMs: opts.latencyMs, cpuProfileFile })
            : await runScenario(world, new BaselineStrategy(world.kc), {
              claims: Math.min(claims, opts.baselineMaxClaims), concurrency: opts.baselineConcurrency, latencyMs: opts.latencyMs, cpuProfileFile,
            });
          // The report compares like with like: a cut baseline burst still stands for the full one.
          scenarios.push(strategy === 'baseline' ? { ...result, claims } : result);
          progress(`  ${strategy}: ${(result.wallMs / 1000).toFixed(2)} s wall, ${result.claimsPerSecond.toFixed(1)} claims/s, ${result.failures} failed`);
        } finally {
          await world.close();
        }
      }
    }
  }
  progress(`render throughput (${opts.renderSeconds} s)...`);
  const render = renderThroughput(opts.renderSeconds);
  const reloadHosts = Math.max(...opts.fleets);
  const world = await startWorld({ hosts: reloadHosts, latencyMs: opts.latencyMs });
  progress(`hot reload with ${reloadHosts} hosts...`);
  const reload = await withDeadline(measureReload(world.kc, reloadHosts), RELOAD_DEADLINE_MS, 'hot reload')
    .catch((err: unknown): ReloadResult => ({ method: 'loader', hosts: reloadHosts, switchMs: NaN, note: `FAILED: ${(err as Error).message}` }))
    .finally(() => world.close());
  const ratios = ratiosOf(scenarios);
  progress('dynamic pools: 1,000 pending pods across 50 tenants...');
  const dynamic = await runDynamicScenario(DYNAMIC_DEFAULTS, progress, opts.cpuProfDir && path.join(opts.cpuProfDir, 'dynamic.cpuprofile'));
  const sites = opts.profile === 'full' ? await runSitesInChild(sitesOptions(opts), progress) : undefined;
  return {
    options: opts, machine: machine(), scenarios, ratios, render, reload, dynamic, sites,
    targets: [...judgeTargets(scenarios, ratios), ...judgeDynamic(dynamic), ...(sites ? judgeSites(sites) : [])],
  };
}

function sitesOptions(opts: BenchOptions): SitesOptions {
  return {
    sites: opts.siteCount ?? SITES_DEFAULTS.sites,
    hostsPerSite: opts.siteHosts ?? SITES_DEFAULTS.hostsPerSite,
    claims: opts.siteClaims ?? SITES_DEFAULTS.claims,
    concurrency: opts.concurrency,
    latencyMs: opts.latencyMs,
    cpuProfileFile: opts.cpuProfDir && path.join(opts.cpuProfDir, 'plugin-sites.cpuprofile'),
  };
}

function machine(): Machine {
  return {
    date: new Date().toISOString(),
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
  };
}
