/**
 * Runs the multi-site scenario (sites.ts) in a fresh process, so its RSS is the plugin's with the sites'
 * hosts cached and nothing left over from the bench's other scenarios. The child (`--run-sites JSON`)
 * sends progress lines and then the result over IPC.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runSitesScenario, type SitesOptions, type SitesResult } from './sites.js';

type Message = { progress: string } | { result: SitesResult } | { error: string };

export function runSitesInChild(opts: SitesOptions, progress: (line: string) => void): Promise<SitesResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--run-sites', JSON.stringify(opts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let settled = false;
    child.on('message', (m: Message) => {
      if ('progress' in m) return progress(m.progress);
      settled = true;
      if ('result' in m) resolve(m.result);
      else reject(new Error(`multi-site scenario: ${m.error}`));
    });
    child.once('exit', (code, signal) => {
      if (!settled) reject(new Error(`multi-site scenario process exited (${signal ?? code}) without a result`));
    });
  });
}

const at = process.argv.indexOf('--run-sites');
if (at >= 0) {
  const send = (m: Message) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  const opts = JSON.parse(process.argv[at + 1]!) as SitesOptions;
  try {
    await send({ result: await runSitesScenario(opts, (line) => void send({ progress: line })) });
  } catch (err) {
    await send({ error: (err as Error)?.stack ?? String(err) });
  }
  process.exit(0);
}
