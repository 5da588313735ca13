/**
 * `npm run chaos -- [--seeds N | --seed S] [--quick] [--verbose]`: runs the chaos scenario for seeds
 * 1..N (default 3) or one seed, prints what each run did and every violation with the seed to replay,
 * and exits non-zero on any violation.
 */
import { join } from 'node:path';
import { createLogger } from '../../platform/observability/logger.js';
import { describeRun } from './report.js';
import { runChaos } from './scenario.js';

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got "${value}")`);
  return n;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const seed = positiveInt(flag(argv, '--seed'), '--seed');
  const count = positiveInt(flag(argv, '--seeds'), '--seeds') ?? 3;
  const seeds = seed !== undefined ? [seed] : Array.from({ length: count }, (_, i) => i + 1);
  const quick = argv.includes('--quick');
  const verbose = argv.includes('--verbose');
  const logger = process.env.LOG_LEVEL ? createLogger({ level: process.env.LOG_LEVEL }) : undefined;
  let failed = 0;
  for (const s of seeds) {
    process.stderr.write(`chaos: seed ${s}${quick ? ' (quick)' : ''}\n`);
    const report = await runChaos({
      seed: s, quick, rootDir: join(process.cwd(), '.lab'), logger,
      say: verbose ? (line) => process.stderr.write(`  [${s}] ${line}\n`) : undefined,
    });
    process.stdout.write(`${describeRun(report)}\n`);
    if (report.violations.length > 0) failed++;
  }
  process.stdout.write(`\n${seeds.length - failed} of ${seeds.length} seed(s) without violations\n`);
  if (failed > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`chaos failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
