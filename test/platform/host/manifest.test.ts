import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONTRACT_VERSION } from '../../../plugin/contract.js';
import { loadManifest } from '../../../platform/host/manifest.js';
import { describeSpecProblems, validateProviderSpec } from '../../../platform/host/specValidation.js';
import { REPO_ROOT, scratchPackage, type Scratch } from './helpers.js';

describe('plugin manifest validation', () => {
  let pkg: Scratch;
  beforeAll(async () => {
    pkg = await scratchPackage();
  });
  afterAll(async () => {
    await pkg.remove();
  });

  const manifestPath = () => join(pkg.packageDir, 'manifest.yaml');
  const original = (text: string) => text.replace(/^name: .*$/m, 'name: fake-provider').replace(/^contractVersion: .*$/m, `contractVersion: ${CONTRACT_VERSION}`)
    .replace(/^entry: .*$/m, 'entry: plugin/index.js').replace(/^files: .*\n/m, '').replace(/^config:/m, 'files: [plugin]\nconfig:');
  const otherMajor = `${Number(CONTRACT_VERSION.split('.')[0]) + 1}.0.0`;

  it('accepts the fixture and finds the .ts sibling of a .js entry when running from source', async () => {
    await pkg.setManifest(original);
    const loaded = await loadManifest(pkg.packageDir, 'fake-provider');
    expect(loaded.manifest).toMatchObject({ name: 'fake-provider', version: '1.0.0', contractVersion: CONTRACT_VERSION, files: ['plugin'] });
    expect(loaded.entryPath).toBe(join(pkg.packageDir, 'plugin', 'index.ts'));
    expect(loaded.manifest.configSchema).toMatchObject({ type: 'object' });
  });

  it('rejects a name different from the registered one, naming file and field', async () => {
    await pkg.setManifest((t) => original(t).replace(/^name: .*$/m, 'name: other-provider'));
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).rejects.toThrow(
      `${manifestPath()}: name: is "other-provider" but the plugin is registered as "fake-provider"`,
    );
  });

  it('rejects an incompatible contract major', async () => {
    await pkg.setManifest((t) => original(t).replace(/^contractVersion: .*$/m, `contractVersion: ${otherMajor}`));
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).rejects.toThrow(`${manifestPath()}: contractVersion: ${otherMajor} is incompatible`);
  });

  it('refuses a plugin built for a newer minor of the contract than the host offers, and loads one built for an older minor', async () => {
    const [major, minor] = CONTRACT_VERSION.split('.').map(Number);
    const newer = `${major}.${minor + 1}.0`;
    await pkg.setManifest((t) => original(t).replace(/^contractVersion: .*$/m, `contractVersion: ${newer}`));
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).rejects.toThrow(
      `${manifestPath()}: contractVersion: ${newer} is newer than the host's contract ${CONTRACT_VERSION}: the plugin needs services this host does not offer`,
    );
    await pkg.setManifest((t) => original(t).replace(/^contractVersion: .*$/m, `contractVersion: ${major}.0.0`));
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).resolves.toMatchObject({ manifest: { contractVersion: `${major}.0.0` } });
  });

  it('requires the list of files that make up the package', async () => {
    await pkg.setManifest((t) => original(t).replace(/^files: .*\n/m, ''));
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).rejects.toThrow(`${manifestPath()}: files: is required`);
  });

  it.each([
    ['a path leaving the package', 'files: [plugin, ../secrets]', 'files[1]: "../secrets" must be a path inside the package'],
    ['an absolute path', 'files: [/etc]', 'files[0]: "/etc" must be a path inside the package'],
    ['a path that does not exist', 'files: [plugin, templates]', 'files[1]: "templates" does not exist in'],
    ['a name listed twice', 'files: [plugin, plugin/]', 'files[1]: "plugin/" is listed twice'],
    ['an empty list', 'files: []', 'files: must be a non-empty list'],
    ['something not a path', 'files: [plugin, 42]', 'files[1]: must be a path inside the package'],
  ])('rejects files holding %s, naming the list item', async (_case, line, problem) => {
    await pkg.setManifest((t) => original(t).replace(/^files: .*$/m, line));
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).rejects.toThrow(`${manifestPath()}: ${problem}`);
  });

  it('rejects an entry outside the listed files', async () => {
    await pkg.setManifest((t) => original(t).replace(/^files: .*$/m, 'files: [manifest-extra]').replace(/^entry: .*$/m, 'entry: plugin/index.js'));
    await writeFile(join(pkg.packageDir, 'manifest-extra'), 'notes');
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).rejects.toThrow(`${manifestPath()}: entry: plugin/index.js is not inside any of files (manifest-extra)`);
    await rm(join(pkg.packageDir, 'manifest-extra'));
  });

  it('rejects a missing entry file', async () => {
    await pkg.setManifest((t) => original(t).replace(/^entry: .*$/m, 'entry: plugin/missing.js'));
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).rejects.toThrow(`${manifestPath()}: entry: plugin/missing.js does not exist`);
  });

  it('rejects a missing manifest and broken YAML', async () => {
    await pkg.setManifest(() => 'name: [unclosed');
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).rejects.toThrow(`${manifestPath()}: (document): not valid YAML`);
    await rm(manifestPath());
    await expect(loadManifest(pkg.packageDir, 'fake-provider')).rejects.toThrow(`${manifestPath()}: (file): cannot read: ENOENT`);
  });
});

describe('NodeProvider spec against the real manifest schema', () => {
  let schema: Record<string, unknown> | undefined;
  beforeAll(async () => {
    // Read directly: the real plugin's entry may not exist yet; the schema is what is under test.
    const manifest = parse(await readFile(join(REPO_ROOT, 'manifest.yaml'), 'utf8')) as { config?: { schema?: Record<string, unknown> } };
    schema = manifest.config?.schema;
  });

  const good = {
    properties: { 'metal3.vcluster.com/network-cidr': '10.42.0.1/24' },
    metal3: {
      clusterRef: { namespace: 'metal3-system' },
      nodeTypes: [{ name: 'gpu-h100', resources: { cpu: '8', 'nvidia.com/gpu': '8' }, bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'h100' } } } }],
    },
  };

  it('accepts a well-formed spec', () => {
    expect(schema).toBeDefined();
    expect(validateProviderSpec(schema, good)).toEqual([]);
  });

  it('names each bad field without echoing values', () => {
    const bad = {
      properties: { 'vcluster.com/user-data': 42 },
      metal3: { clusterRef: {}, nodeTypes: [{ name: 'GPU_H100', cost: -1, bareMetalHosts: { selector: { matchExpressions: [{ key: 'gpu-model', operator: 'Contains' }] } } }] },
    };
    const problems = validateProviderSpec(schema, bad);
    const fields = problems.map((p) => p.field);
    expect(fields).toEqual(expect.arrayContaining([
      'spec.properties.vcluster.com/user-data',
      'spec.metal3.clusterRef.namespace',
      'spec.metal3.nodeTypes[0].name',
      'spec.metal3.nodeTypes[0].cost',
      'spec.metal3.nodeTypes[0].bareMetalHosts.selector.matchExpressions[0].operator',
    ]));
    const line = describeSpecProblems('metal3-provider', problems);
    expect(line).toMatch(/^NodeProvider\/metal3-provider: /);
    expect(line).toContain('spec.metal3.clusterRef.namespace: Required value');
    expect(line).not.toContain('GPU_H100');
  });
});
