/**
 * Copies a plugin package into its own version folder so each activation gets fresh ESM module
 * records. Bare imports (`@kubernetes/client-node`, `tsyringe`) must resolve to the host's
 * node_modules, never to a second copy: when the version folders are not already below the
 * host's node_modules, a `node_modules` symlink to the host's is placed beside them (Node
 * resolves symlinks to real paths, so both sides share one module instance).
 */
import { statSync } from 'node:fs';
import { cp, mkdir, readdir, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InstalledVersion {
  dir: string;
  /** `<version>-<n>`, unique per activation attempt. */
  id: string;
}

/**
 * Copies manifest.yaml and the manifest's `files` (checked by loadManifest). `minAttempt` lets the
 * caller rule out numbers it used before: a folder whose modules were once imported must never be
 * reused, since ESM would hand back the cached module records.
 */
export async function installVersion(
  packageDir: string, pluginsRoot: string, name: string, version: string, files: readonly string[], minAttempt = 1,
): Promise<InstalledVersion & { attempt: number }> {
  const base = join(pluginsRoot, name);
  await mkdir(base, { recursive: true });
  await linkHostModules(pluginsRoot);
  const n = Math.max((await highestAttempt(base, version)) + 1, minAttempt);
  const id = `${version}-${n}`;
  const dir = join(base, id);
  for (const part of ['manifest.yaml', ...files]) {
    const from = join(packageDir, part);
    await cp(from, join(dir, part), {
      recursive: true,
      filter: (src) => !src.split(sep).includes('node_modules') && !/\.test\.[jt]s$/.test(src),
    });
  }
  return { dir, id, attempt: n };
}

export async function removeVersion(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

async function highestAttempt(base: string, version: string): Promise<number> {
  let highest = 0;
  for (const entry of await readdir(base)) {
    if (!entry.startsWith(`${version}-`)) continue;
    const n = Number(entry.slice(version.length + 1));
    if (Number.isInteger(n) && n > highest) highest = n;
  }
  return highest;
}

/** The node_modules folder the host itself resolves packages from. */
export function hostNodeModules(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'node_modules');
    if (existsSyncDir(join(candidate, '@kubernetes', 'client-node'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the host node_modules holding @kubernetes/client-node');
    dir = parent;
  }
}

async function linkHostModules(pluginsRoot: string): Promise<void> {
  const modules = hostNodeModules();
  const rel = relative(dirname(modules), resolve(pluginsRoot));
  const below = rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
  if (below) return;
  const link = join(pluginsRoot, 'node_modules');
  if (await exists(link)) return;
  await symlink(modules, link, 'dir');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function existsSyncDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
