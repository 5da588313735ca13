/**
 * The Containerfile's steps without a container engine: build as stage 1 does, then, in an empty
 * folder, install production dependencies only (`npm ci --omit=dev`) and copy exactly what stage 2
 * copies from the build; the host started from there against the lab loads the plugin, becomes ready
 * and publishes NodeTypes, so the image's contents are complete.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { HOST_NAMESPACE, applyCatalog } from '../../lab/world.js';
import { REPO_ROOT } from '../platform/host/helpers.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { waitFor } from '../support/waitFor.js';

const run = promisify(execFile);

/** `COPY --from=build /src/<from> <to>` lines of the Containerfile's final stage. */
async function runtimeCopies(): Promise<{ from: string; to: string }[]> {
  const text = await readFile(join(REPO_ROOT, 'Containerfile'), 'utf8');
  const finalStage = text.slice(text.lastIndexOf('\nFROM '));
  return [...finalStage.matchAll(/^COPY --from=build \/src\/(\S+) (\S+)$/gm)].map((m) => ({ from: m[1], to: m[2] }));
}

describe('the container image, reproduced without a container engine', () => {
  let root: string;
  let lab: TestLab;
  let host: ChildProcess | undefined;
  let stderr = '';

  beforeAll(async () => {
    await mkdir(join(REPO_ROOT, '.lab'), { recursive: true });
    root = await mkdtemp(join(REPO_ROOT, '.lab', 'image-'));
    // Stage 1: npm ci (this checkout's node_modules) + npm run build, into a private folder.
    await run(process.execPath, ['scripts/build.mjs', '--out', join(root, 'build', 'dist')], { cwd: REPO_ROOT });
    // Stage 2: an empty folder with production dependencies only, then the COPY --from=build lines.
    const app = join(root, 'app');
    await mkdir(app);
    for (const f of ['package.json', 'package-lock.json']) await cp(join(REPO_ROOT, f), join(app, f));
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, env: { ...process.env, NODE_ENV: 'production' } });
    for (const { from, to } of await runtimeCopies()) await cp(join(root, 'build', from), join(app, to), { recursive: true });
    lab = await startTestLab({ namespace: HOST_NAMESPACE, hosts: { names: ['img-1', 'img-2'], options: { labels: { 'gpu-model': 'none' } } } });
    await applyCatalog(lab.kc, HOST_NAMESPACE);
  }, 240_000);

  afterAll(async () => {
    host?.kill('SIGTERM');
    await lab?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('copies the compiled host and the plugin package, and no dev dependency or lab code', async () => {
    const copies = (await runtimeCopies()).map((c) => c.to);
    expect(copies).toEqual(expect.arrayContaining(['dist/platform', 'dist/plugin', 'dist/providers', 'dist/templates', 'dist/manifest.yaml']));
    expect(copies.some((c) => c.startsWith('dist/lab') || c.startsWith('dist/test'))).toBe(false);
    await expect(readFile(join(root, 'app', 'node_modules', 'typescript', 'package.json'))).rejects.toThrow();
    await expect(readFile(join(root, 'app', 'node_modules', '@kubernetes', 'client-node', 'package.json'))).resolves.toBeDefined();
  });

  it('starts the host from the image folder: the plugin loads, /readyz turns 200 and NodeTypes appear', async () => {
    const app = join(root, 'app');
    await lab.api.writeKubeconfig(join(root, 'kubeconfig'));
    await writeFile(join(root, 'platform.yaml'), [
      'providers:', `  - name: metal3-provider`, `    path: ${join(app, 'dist')}`, 'metrics:', '  port: 0', 'dashboard:', '  enabled: false', '',
    ].join('\n'));
    host = spawn(process.execPath, ['dist/platform/main.js', '--config', join(root, 'platform.yaml'), '--kubeconfig', join(root, 'kubeconfig'), '--state-dir', join(root, 'state')], {
      cwd: app, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: 'production' },
    });
    host.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const metricsUrl = await waitFor(() => /metrics (http:\/\/[^\s;]+)/.exec(stderr)?.[1], { what: `the host's metrics URL (stderr: ${stderr.slice(-500)})`, timeoutMs: 60_000 });
    const readyz = metricsUrl.replace('/metrics', '/readyz');
    let answer = '';
    await waitFor(async () => {
      const res = await fetch(readyz);
      answer = `${res.status} ${await res.text()}`;
      return res.status === 200;
    }, { timeoutMs: 60_000 }).catch((err: Error) => {
      throw new Error(`${err.message}; last /readyz: ${answer}; host stderr: ${stderr.slice(-2000)}`);
    });
    const custom = lab.kc.makeApiClient(CustomObjectsApi);
    const types = await waitFor(async () => {
      const list = await custom.listClusterCustomObject({ group: 'management.loft.sh', version: 'v1', plural: 'nodetypes' }) as { items: { metadata: { name: string } }[] };
      return list.items.length > 0 && list.items.map((t) => t.metadata.name);
    }, { what: 'NodeTypes written by the host', timeoutMs: 60_000 });
    expect(types).toContain('metal3-provider.cpu');
  }, 120_000);
});
