/**
 * `npm run bench [-- --quick|--full] [--out FILE] [--json FILE] [...]`: runs the bench and prints
 * the markdown report. The lab API server runs in this process, so peak RSS covers both.
 */
import { writeFile } from 'node:fs/promises';
import { runBench } from './bench.js';
import { parseArgs } from './profiles.js';
import { toMarkdown } from './report.js';

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const report = await runBench(opts, (line) => process.stderr.write(`${line}\n`));
  const markdown = toMarkdown(report);
  process.stdout.write(markdown);
  if (opts.out) await writeFile(opts.out, markdown);
  if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
