/** The bench report as markdown: scenarios, plugin-vs-baseline ratios, targets (PASS/MISS), side measurements. */
import type { ScenarioResult } from './burst.js';
import type { DynamicResult } from './dynamic.js';
import type { ReloadResult, RenderResult } from './extras.js';
import type { BenchOptions } from './profiles.js';
import type { SitesResult } from './sites.js';
import { sitesMarkdown } from './sitesReport.js';

export interface Machine {
  date: string;
  nproc: number;
  cpuModel: string;
  memory: string;
  node: string;
}

export interface Ratio {
  hosts: number;
  claims: number;
  bytesRead: number;
  requests: number;
  /** Baseline wall time for the whole burst (scaled from its claims/s) / plugin wall time. */
  wallTime: number;
}

export interface Target {
  target: string;
  measured: string;
  /** undefined: the profile did not run the scenario the target is about. */
  pass?: boolean;
}

export interface BenchReport {
  options: BenchOptions;
  machine: Machine;
  scenarios: ScenarioResult[];
  ratios: Ratio[];
  /** Absent with --dynamic-only. */
  render?: RenderResult;
  reload?: ReloadResult;
  dynamic?: DynamicResult;
  /** The multi-site scenario (`--sites`, `--full`). */
  sites?: SitesResult;
  targets: Target[];
}

export function ratiosOf(scenarios: ScenarioResult[]): Ratio[] {
  return scenarios.filter((s) => s.strategy === 'plugin').flatMap((p) => {
    const b = scenarios.find((s) => s.strategy === 'baseline' && s.hosts === p.hosts && s.claims === p.claims);
    if (!b) return [];
    const requests = (s: ScenarioResult) => Object.values(s.requestsPerNode).reduce((a, v) => a + v, 0);
    return [{
      hosts: p.hosts,
      claims: p.claims,
      bytesRead: b.bytesPerNode / p.bytesPerNode,
      requests: requests(b) / requests(p),
      wallTime: p.claims / b.claimsPerSecond / (p.wallMs / 1000),
    }];
  });
}

const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const kib = (bytes: number) => f(bytes / 1024, 1);

export function toMarkdown(r: BenchReport): string {
  const o = r.options;
  const lines: string[] = [];
  lines.push(`## Bench (${o.profile}) — ${r.machine.date}`, '');
  lines.push(`Machine: ${r.machine.nproc} CPU (${r.machine.cpuModel}), ${r.machine.memory} RAM, Node ${r.machine.node}. ` +
    `Injected API latency ${o.latencyMs} ms per request. Plugin: ${o.concurrency} createNode in flight; ` +
    `baseline: ${o.baselineConcurrency} in flight (CAPM3's --metal3machine-concurrency default), at most ${o.baselineMaxClaims} claims per burst. ` +
    'Requests and bytes come from the lab API server (reset after warm-up); bytes are what the server sent (responses + watch events). ' +
    'The lab API serves HTTPS with bearer-token authentication and RBAC authorization on (the plugin calls it as the lab admin, system:masters).', '');
  lines.push('| strategy | hosts | claims | wall s | claims/s | p50 ms | p99 ms | LIST/node | GET/node | writes/node | KiB read/node | 409/node (host races) | select ms mean / p99 | API share | peak RSS MiB | warm-up heap MiB | failed |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.scenarios) {
    const q = s.requestsPerNode;
    lines.push(`| ${s.strategy} | ${s.hosts} | ${s.claims} | ${f(s.wallMs / 1000, 2)} | ${f(s.claimsPerSecond)} | ${f(s.p50Ms)} | ${f(s.p99Ms)} | ` +
      `${f(q.LIST, 2)} | ${f(q.GET, 2)} | ${f(s.writesPerNode, 2)} (C ${f(q.CREATE, 2)} U ${f(q.UPDATE, 2)} P ${f(q.PATCH, 2)} D ${f(q.DELETE, 2)}) | ` +
      `${kib(s.bytesPerNode)} | ${f(s.http409PerNode, 3)} (${f(s.conflictsPerNode, 3)}) | ${f(s.selectionMeanMs, 3)} / ${f(s.selectionP99Ms, 3)} | ${f(s.apiShare * 100)}% | ` +
      `${f(s.peakRssMiB, 0)} | ${f(s.warmUpHeapMiB)} | ${s.failures} |`);
  }
  const failures = r.scenarios.filter((s) => s.firstFailure);
  if (failures.length) {
    lines.push('', 'First failure per scenario:');
    for (const s of failures) lines.push(`- ${s.strategy} ${s.hosts}/${s.claims}: ${s.firstFailure}`);
  }
  if (r.ratios.length) {
    lines.push('', '| hosts | claims | baseline/plugin bytes read | baseline/plugin requests | baseline/plugin wall time |', '|---:|---:|---:|---:|---:|');
    for (const x of r.ratios) lines.push(`| ${x.hosts} | ${x.claims} | ${f(x.bytesRead)}x | ${f(x.requests, 2)}x | ${f(x.wallTime)}x |`);
  }
  if (r.render) lines.push('', `Template render: ${f(r.render.rendersPerSecond, 0)} renders/s (user data ${r.render.userDataBytes} B + network data ${r.render.networkDataBytes} B per render, ${r.render.renders} renders in ${f(r.render.seconds, 2)} s, one core).`);
  if (r.reload) lines.push(`Hot reload (${r.reload.method}, ${r.reload.hosts} hosts): ${f(r.reload.switchMs, 0)} ms to switch versions — ${r.reload.note}.`);
  if (r.dynamic) {
    const d = r.dynamic;
    lines.push('', '| dynamic pools | hosts | tenants | pending pods | claims | per tenant: window closed → its claims created p50 / p99 / max ms | overall: first window closed → last claim created | → all Events written | windows closed within | nodes / lower bound | GPU nodes / bound | unschedulable | mgmt req/claim | tenant req/claim | load avg (1 min) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| provisioner | ${d.hosts} | ${d.tenants} | ${d.pods} | ${d.claims} | ${f(d.passP50Ms, 0)} / ${f(d.passP99Ms, 0)} / ${f(d.passMaxMs, 0)} | ${f(d.allCreatedMs, 0)} ms | ${f(d.allEventsMs, 0)} ms | ${f(d.windowSpreadMs, 0)} ms | ${d.claims} / ${d.lowerBound} (${f(d.claims / d.lowerBound, 2)}x) | ${d.gpuClaims} / ${d.gpuLowerBound} | ${d.unschedulable} | ${f(d.mgmtRequestsPerClaim, 2)} (${Object.entries(d.mgmtRequestsPerClaimByResource).map(([r, n]) => `${r} ${f(n, 2)}`).join(', ')}) | ${f(d.tenantRequestsPerClaim, 2)} | ${f(d.loadAverage[0] ?? NaN)} |`);
  }
  if (r.sites) lines.push(...sitesMarkdown(r.sites));
  lines.push('', '| target | measured | result |', '|---|---|---|');
  for (const t of r.targets) lines.push(`| ${t.target} | ${t.measured} | ${t.pass === undefined ? 'n/a (not in this profile)' : t.pass ? 'PASS' : 'MISS'} |`);
  return `${lines.join('\n')}\n`;
}
