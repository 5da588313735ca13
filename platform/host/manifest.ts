/**
 * Reads and checks a plugin package's `manifest.yaml`: identity, contract compatibility (same major, a
 * minor the host offers), entry, the files that make up the package, and the JSON/OpenAPI schema of the
 * provider configuration. Every failure names the manifest path and the field.
 */
import { access, readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative } from 'node:path';
import { parse } from 'yaml';
import { CONTRACT_VERSION } from '../../plugin/contract.js';

export interface PluginManifest {
  name: string;
  version: string;
  /** Entry module relative to the package folder, e.g. `plugin/index.js`. */
  entry: string;
  contractVersion: string;
  /** What the package consists of besides manifest.yaml: files or folders relative to the package folder. */
  files: string[];
  /** OpenAPI v3 schema of the NodeProvider `spec` this plugin serves. */
  configSchema?: Record<string, unknown>;
}

export interface LoadedManifest {
  manifest: PluginManifest;
  manifestPath: string;
  /** Absolute entry file that exists (`.js`, or its `.ts` sibling when running from source). */
  entryPath: string;
}

export class ManifestError extends Error {
  constructor(readonly manifestPath: string, readonly field: string, problem: string) {
    super(`${manifestPath}: ${field}: ${problem}`);
    this.name = 'ManifestError';
  }
}

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function manifestPathOf(packageDir: string): string {
  return join(packageDir, 'manifest.yaml');
}

/** Loads `<packageDir>/manifest.yaml` and checks it against the name it is registered under. */
export async function loadManifest(packageDir: string, registeredName: string): Promise<LoadedManifest> {
  const manifestPath = manifestPathOf(packageDir);
  const fail = (field: string, problem: string) => new ManifestError(manifestPath, field, problem);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    throw fail('(file)', `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw fail('(document)', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw fail('(document)', 'must be a mapping');
  const m = doc as Record<string, unknown>;

  if (typeof m.name !== 'string' || m.name === '') throw fail('name', 'is required');
  if (m.name !== registeredName) throw fail('name', `is "${m.name}" but the plugin is registered as "${registeredName}"`);
  if (typeof m.version !== 'string' || !SEMVER.test(m.version)) throw fail('version', 'must be a semantic version such as 1.2.3');
  if (typeof m.contractVersion !== 'string' || !SEMVER.test(m.contractVersion)) {
    throw fail('contractVersion', 'must be a semantic version such as 1.0.0');
  }
  const problem = contractMismatch(m.contractVersion);
  if (problem) throw fail('contractVersion', problem);
  if (typeof m.entry !== 'string' || m.entry === '') throw fail('entry', 'is required (e.g. plugin/index.js)');
  if (m.entry.startsWith('/') || m.entry.split(/[\\/]/).includes('..')) throw fail('entry', 'must be a path inside the package');
  const entryPath = await findEntry(packageDir, m.entry);
  if (!entryPath) throw fail('entry', `${m.entry} does not exist in ${packageDir}`);
  const files = await checkFiles(packageDir, m.files, fail);
  const entry = m.entry;
  if (!files.some((part) => isWithin(entry, part))) throw fail('entry', `${entry} is not inside any of files (${files.join(', ')})`);

  let configSchema: Record<string, unknown> | undefined;
  if (m.config !== undefined) {
    if (typeof m.config !== 'object' || m.config === null) throw fail('config', 'must be a mapping');
    const schema = (m.config as Record<string, unknown>).schema;
    if (schema !== undefined) {
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw fail('config.schema', 'must be a schema object');
      if ((schema as Record<string, unknown>).type !== 'object') throw fail('config.schema.type', 'must be "object" (the NodeProvider spec)');
      configSchema = schema as Record<string, unknown>;
    }
  }
  return {
    manifest: { name: m.name, version: m.version, entry: m.entry, contractVersion: m.contractVersion, files, configSchema },
    manifestPath,
    entryPath,
  };
}

/**
 * Why this host cannot load a plugin built for contract `wanted` (the oldest contract it works with), or
 * undefined when it can: the majors must be equal and the host's minor at least the plugin's.
 */
function contractMismatch(wanted: string): string | undefined {
  const [wantMajor, wantMinor] = wanted.split('.').map(Number);
  const [major, minor] = CONTRACT_VERSION.split('.').map(Number);
  if (wantMajor !== major) return `${wanted} is incompatible with the host's contract ${CONTRACT_VERSION} (major ${major} required)`;
  if (wantMinor > minor) {
    return `${wanted} is newer than the host's contract ${CONTRACT_VERSION}: the plugin needs services this host does not offer (upgrade the host, or install a plugin built for ${major}.${minor})`;
  }
  return undefined;
}

/** The manifest's `version` only, for cheap change polling; undefined when unreadable. */
export async function readManifestVersion(packageDir: string): Promise<string | undefined> {
  try {
    const doc = parse(await readFile(manifestPathOf(packageDir), 'utf8')) as { version?: unknown } | null;
    return typeof doc?.version === 'string' ? doc.version : undefined;
  } catch {
    return undefined;
  }
}

/** `files`: a non-empty list of distinct paths inside the package that exist (folders are taken whole); returns them as found. */
async function checkFiles(packageDir: string, value: unknown, fail: (field: string, problem: string) => ManifestError): Promise<string[]> {
  if (value === undefined) throw fail('files', 'is required: the files and folders of the package, e.g. [plugin, templates]');
  if (!Array.isArray(value) || value.length === 0) throw fail('files', 'must be a non-empty list of paths inside the package');
  const files: string[] = [];
  for (const [i, item] of value.entries()) {
    const field = `files[${i}]`;
    if (typeof item !== 'string' || item.trim() === '') throw fail(field, 'must be a path inside the package (a non-empty string)');
    const path = normalize(item).replace(/[\\/]+$/, '');
    if (isAbsolute(item) || path === '.' || path.split(/[\\/]/).includes('..')) throw fail(field, `"${item}" must be a path inside the package`);
    if (path === 'manifest.yaml') throw fail(field, 'manifest.yaml is always part of the package; do not list it');
    // Like the entry, a listed `x.js` may stand as its `x.ts` source when the package runs from source.
    const found = await findEntry(packageDir, path);
    if (!found) throw fail(field, `"${item}" does not exist in ${packageDir}`);
    const existing = relative(packageDir, found);
    if (files.includes(existing)) throw fail(field, `"${item}" is listed twice`);
    files.push(existing);
  }
  return files;
}

function isWithin(path: string, part: string): boolean {
  const p = normalize(path);
  return p === part || p.startsWith(`${part}/`) || p.startsWith(`${part}\\`);
}

async function findEntry(packageDir: string, entry: string): Promise<string | undefined> {
  const candidates = [join(packageDir, entry)];
  if (entry.endsWith('.js')) candidates.push(join(packageDir, `${entry.slice(0, -3)}.ts`));
  for (const candidate of candidates) {
    try {
      await access(candidate);
      return candidate;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}
