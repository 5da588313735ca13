/**
 * The chaos run on a few fixed seeds with the short scenario: no invariant may break, and the run
 * must really have injected API faults, Metal3 faults, site outages, replica kills and pods in the
 * dynamic tenants (else it proves nothing).
 */
import { describe, expect, it } from '@jest/globals';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../platform/observability/logger.js';
import { REPO_ROOT } from '../platform/host/helpers.js';
import { describeRun, total } from './report.js';
import { runChaos } from './scenario.js';

/** CHAOS_SEEDS=4,5 runs other seeds. */
const SEEDS = (process.env.CHAOS_SEEDS ?? '1,2,3').split(',').map(Number);

describe('chaos run (short scenario)', () => {
  it.each(SEEDS)('seed %i keeps every invariant', async (seed) => {
    // CHAOS_LOG=<prefix> keeps the lab's logs per seed; CHAOS_PRINT=1 narrates the run.
    const logger = process.env.CHAOS_LOG ? createLogger({ level: 'debug', destination: createWriteStream(`${process.env.CHAOS_LOG}-${seed}.log`) }) : undefined;
    const say = process.env.CHAOS_PRINT ? (line: string) => process.stderr.write(`  ${line}\n`) : undefined;
    const report = await runChaos({ seed, quick: true, rootDir: join(REPO_ROOT, '.lab'), logger, say });
    const text = describeRun(report);
    if (process.env.CHAOS_PRINT) process.stderr.write(`${text}\n`);
    expect({ seed, violations: report.violations }).toEqual({ seed, violations: [] });
    // The run proves something only if it really injected faults and killed a replica.
    expect({ text, api: total(report.apiFaults) > 0, metal3: total(report.metal3Faults) > 0, kills: report.replicas.kills > 0 })
      .toEqual({ text, api: true, metal3: true, kills: true });
    // One outage during the run at least, and site-b's at quiescence; pods in the dynamic tenants that made their pools claim hosts.
    expect({ text, outages: total(report.siteOutages) >= 2, pods: (report.dynamicPods.gpuJob ?? 0) + (report.dynamicPods.cpuPod ?? 0) >= 2, nodes: (report.dynamicPods.nodesClaimed ?? 0) > 0 })
      .toEqual({ text, outages: true, pods: true, nodes: true });
    expect({ text, ops: total(report.operations) }).toEqual({ text, ops: 30 });
    expect({ text, polls: report.monitorReads > 0 }).toEqual({ text, polls: true });
    // BMO's webhook (failurePolicy Fail) refused nothing the plugin or the platform wrote.
    expect({ text, admissionDenials: report.admissionDenials }).toEqual({ text, admissionDenials: {} });
  }, 240_000);
});
