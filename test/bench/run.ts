/**
 * `npm run bench [-- --quick|--full] [--out FILE] [--json FILE] [...]`: runs the bench and prints
 * the markdown report. The lab API server runs in this process, so peak RSS covers both.
 */
import { writeFile } from 'node:fs/promises';
import { runBench } from './bench.js';
import { parseArgs } from './profiles.js';
import { toMarkdown } from './report.js';

let lastStep = 'start';
let finished = false;
// An awaited promise that never settles lets Node exit silently with nothing printed: say so.
process.on('exit', () => {
  if (!finished) process.stderr.write(`bench: stopped before writing the report (a promise never settled); last step: ${lastStep}\n`);
});

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const report = await runBench(opts, (line) => {
    lastStep = line.trim();
    process.stderr.write(`${line}\n`);
  });
  const markdown = toMarkdown(report);
  process.stdout.write(markdown);
  if (opts.out) await writeFile(opts.out, markdown);
  if (opts.json) await writeFile(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  finished = true;
  reportLeftovers();
}

/**
 * Everything the bench started is stopped by now, so the process should exit by itself. If it has
 * not within a few seconds, say what is still open (a leak worth fixing) and exit anyway.
 */
function reportLeftovers(): void {
  setTimeout(() => {
    const open = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles().map((h) => h.constructor.name);
    process.stderr.write(`bench: still running 5 s after the report; open handles: ${open.join(', ') || 'none'}; exiting\n`);
    process.exit(process.exitCode ?? 0);
  }, 5000).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
  finished = true;
});
