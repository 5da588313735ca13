/** The chaos run's report as text: what it did, what it injected, and the violations with the seed to replay. */
import type { ChaosReport } from './scenario.js';

function counts(c: Record<string, number>): string {
  const entries = Object.entries(c).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b));
  return entries.length > 0 ? entries.map(([k, n]) => `${k} ${n}`).join(', ') : 'none';
}

export function describeRun(r: ChaosReport): string {
  const lines = [
    `seed ${r.seed}: ${r.violations.length === 0 ? 'OK' : `${r.violations.length} violation(s)`} in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  operations    ${counts(r.operations)}`,
    `  API faults    ${counts(r.apiFaults)}`,
    `  Metal3 faults ${counts(r.metal3Faults)}`,
    `  site outages  ${counts(r.siteOutages)}`,
    `  dynamic pods  ${counts(r.dynamicPods)}`,
    `  replicas      kills ${r.replicas.kills}, restarts ${r.replicas.restarts}, lease transitions ${r.replicas.leaseTransitions}, reloads ${r.replicas.reloads} (${r.replicas.reloadFailures} failed)`,
    `  at quiescence ${counts(r.atQuiescence)} (claims by phase); invariant polls ${r.monitorReads}; admission denials ${counts(r.admissionDenials)}`,
  ];
  for (const v of r.violations) lines.push(`  VIOLATION ${v}`);
  if (r.violations.length > 0) lines.push(`  replay: npm run chaos -- --seed ${r.seed}${r.keptDir ? ` (state kept in ${r.keptDir})` : ''}`);
  return lines.join('\n');
}

/** Total of a counter group, for "was anything injected at all". */
export function total(c: Record<string, number>): number {
  return Object.values(c).reduce((s, n) => s + n, 0);
}
