/**
 * Runs the bench's quick profile end to end (lab API, plugin, baseline, render, reload) and checks
 * that the report is complete and self-consistent. Timing targets are reported, never asserted.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { runBench } from '../bench/bench.js';
import { parseArgs } from '../bench/profiles.js';
import { toMarkdown, type BenchReport } from '../bench/report.js';

describe('npm run bench --quick', () => {
  let report: BenchReport;

  // One run of the quick profile (the shared world); every it reads its report and changes nothing.
  beforeAll(async () => {
    report = await runBench(parseArgs(['--quick']));
  }, 180_000);

  it('runs the plugin and the baseline over the same fleet and burst', () => {
    expect(report.scenarios.map((s) => [s.strategy, s.hosts, s.claims])).toEqual([
      ['plugin', 1000, 100],
      ['baseline', 1000, 100],
    ]);
    for (const s of report.scenarios) {
      expect({ strategy: s.strategy, failures: s.failures, firstFailure: s.firstFailure }).toEqual({ strategy: s.strategy, failures: 0, firstFailure: undefined });
      expect(s.wallMs).toBeGreaterThan(0);
      expect(s.p50Ms).toBeLessThanOrEqual(s.p99Ms);
      // Every node took at least the host claim write, and the server sent something for it.
      expect(s.requestsPerNode.UPDATE).toBeGreaterThanOrEqual(1);
      expect(s.bytesPerNode).toBeGreaterThan(0);
      expect(s.peakRssMiB).toBeGreaterThan(0);
      expect(s.selectionMeanMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('puts the baseline\'s live LIST per claim into the numbers', () => {
    const [plugin, baseline] = report.scenarios;
    // The baseline LISTs the matching hosts for every claim; the plugin reads its informer cache.
    expect(baseline!.requestsPerNode.LIST).toBeGreaterThan(plugin!.requestsPerNode.LIST);
    expect(report.ratios).toHaveLength(1);
    expect(report.ratios[0]!.bytesRead).toBeGreaterThan(1);
  });

  it('provisions dynamic pools for 1,000 pending pods across 50 tenants and compares the nodes with a lower bound', () => {
    const d = report.dynamic!;
    expect({ tenants: d.tenants, pods: d.pods, hosts: d.hosts }).toEqual({ tenants: 50, pods: 1000, hosts: 10_000 });
    expect(d.unschedulable).toBe(0);
    expect(d.claims).toBeGreaterThanOrEqual(d.lowerBound);
    expect(d.gpuClaims).toBeGreaterThanOrEqual(d.gpuLowerBound);
    expect(d.allCreatedMs).toBeGreaterThan(0);
    // Overall spans every tenant's pass and the spread of their windows; Events come after the claims.
    expect(d.passP50Ms).toBeLessThanOrEqual(d.passMaxMs);
    expect(d.allCreatedMs).toBeGreaterThanOrEqual(Math.max(d.passMaxMs, d.windowSpreadMs));
    expect(d.allEventsMs).toBeGreaterThanOrEqual(d.allCreatedMs);
    // Every pass's requests are counted: a claim create and its Event at least.
    expect(d.mgmtRequestsPerClaimByResource.nodeclaims).toBeGreaterThanOrEqual(1);
    expect(d.mgmtRequestsPerClaimByResource.events).toBeGreaterThanOrEqual(1);
    expect(d.tenantRequestsPerClaim).toBeCloseTo(d.pods / d.claims);
    expect(toMarkdown(report)).toContain('| provisioner | 10000 | 50 | 1000 |');
  });

  it('measures rendering and the hot reload', () => {
    expect(report.render?.renders).toBeGreaterThan(0);
    expect(report.render?.userDataBytes).toBeGreaterThan(0);
    expect(report.reload?.switchMs).toBeGreaterThan(0);
  });

  it('prints a markdown report with one row per scenario and a verdict per target', () => {
    const markdown = toMarkdown(report);
    const rows = markdown.split('\n').filter((l) => /^\| (plugin|baseline) \|/.test(l));
    expect(rows).toHaveLength(2);
    expect(report.targets).toHaveLength(9);
    for (const t of report.targets) expect(markdown).toContain(`| ${t.target} |`);
    expect(markdown).toMatch(/\| (PASS|MISS|n\/a \(not in this profile\)) \|/);
    // Nothing secret reaches the report.
    expect(markdown).not.toContain('0123456789abcdef');
  });
});
