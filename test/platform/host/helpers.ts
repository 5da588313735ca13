/** Scratch plugin packages for host tests, under `<repo>/.lab/` so bare imports resolve to the repo's node_modules. */
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadManifest } from '../../../platform/host/manifest.js';
import type { FakePluginProbe } from './fixtures/fake-plugin/plugin/index.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FAKE_PLUGIN = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-plugin');

export interface Scratch {
  root: string;
  packageDir: string;
  pluginsRoot: string;
  setManifest(edit: (text: string) => string): Promise<void>;
  remove(): Promise<void>;
}

export async function scratchPackage(from = FAKE_PLUGIN): Promise<Scratch> {
  await mkdir(join(REPO_ROOT, '.lab'), { recursive: true });
  const root = await mkdtemp(join(REPO_ROOT, '.lab', 'host-test-'));
  const packageDir = join(root, 'package');
  await cp(from, packageDir, { recursive: true });
  const manifest = join(packageDir, 'manifest.yaml');
  return {
    root,
    packageDir,
    pluginsRoot: join(root, 'state', 'plugins'),
    async setManifest(edit) {
      await writeFile(manifest, edit(await readFile(manifest, 'utf8')));
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** Copies a plugin package as the loader reads its manifest (manifest.yaml and the `files` it finds), nothing else. */
export async function copyPackage(from: string, to: string): Promise<void> {
  const { name } = parse(await readFile(join(from, 'manifest.yaml'), 'utf8')) as { name: string };
  const { manifest } = await loadManifest(from, name);
  for (const part of ['manifest.yaml', ...manifest.files]) await cp(join(from, part), join(to, part), { recursive: true });
}

export function installProbe(): FakePluginProbe {
  const probe: FakePluginProbe = { gates: new Map(), calls: [], events: [], failActivation: new Set(), sharedClientNode: [] };
  (globalThis as unknown as { fakePluginProbe: FakePluginProbe }).fakePluginProbe = probe;
  return probe;
}

