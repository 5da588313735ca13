/**
 * Prometheus's own linter for an exposition: `promtool check metrics` (Debian package `prometheus`) reads the
 * text on stdin and reports format errors and naming-convention problems. Fails loudly when promtool is absent.
 */
import { execFile } from 'node:child_process';

export interface PromtoolResult { code: number; output: string }

export function promtoolCheckMetrics(exposition: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', ['check', 'metrics'], (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new Error('promtool not found: install the Debian package "prometheus" (.ci/run does)'));
        return;
      }
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}`.trim() });
    });
    child.stdin!.end(exposition);
  });
}
