/**
 * The chaos run on a few fixed seeds with the short scenario: no invariant may break, and the run
 * must really have injected API faults, Metal3 faults, replica kills and reloads (else it proves nothing).
 */
import { describe, expect, it } from '@jest/globals';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../lab/platform/observability/logger.js';
import { REPO_ROOT } from '../platform/host/helpers.js';
import { describeRun, total } from './report.js';
import { runChaos } from './scenario.js';

const SEEDS = (process.env.CHAOS_SEEDS ?? '1,2').split(',').map(Number);

describe('chaos run (short scenario)', () => {
  it.each(SEEDS)('seed %i keeps every invariant', async (seed) => {
    const report = await runChaos({ seed, quick: true, rootDir: join(REPO_ROOT, '.lab'), logger: process.env.CHAOS_LOG ? createLogger({ level: 'debug', destination: createWriteStream(`${process.env.CHAOS_LOG}-${seed}.log`) }) : undefined, say: process.env.CHAOS_PRINT ? (l) => process.stderr.write(`  ${l}\n`) : undefined });
    const text = describeRun(report);
    if (process.env.CHAOS_PRINT) process.stderr.write(`${text}\n`);
    expect({ seed, violations: report.violations }).toEqual({ seed, violations: [] });
    expect({ text, injected: total(report.apiFaults) > 0 }).toEqual({ text, injected: true });
    expect({ text, ops: total(report.operations) }).toEqual({ text, ops: 25 });
    expect({ text, polls: report.monitorReads > 0 }).toEqual({ text, polls: true });
  }, 240_000);
});
