import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostNodeModules, installVersion } from '../../../platform/host/install.js';
import { FAKE_PLUGIN, REPO_ROOT } from './helpers.js';

describe('plugin version folders', () => {
  const roots: string[] = [];
  afterAll(async () => {
    for (const r of roots) await rm(r, { recursive: true, force: true });
  });

  it('finds the host node_modules holding client-node', () => {
    expect(hostNodeModules()).toBe(join(REPO_ROOT, 'node_modules'));
  });

  it('links (never copies) the host node_modules when version folders live outside the repo', async () => {
    const root = await mkdtemp(join(tmpdir(), 'plugins-'));
    roots.push(root);
    const first = await installVersion(FAKE_PLUGIN, root, 'fake-provider', '1.0.0', ['plugin']);
    expect(first.id).toBe('1.0.0-1');
    expect(existsSync(join(first.dir, 'manifest.yaml'))).toBe(true);
    expect(existsSync(join(first.dir, 'plugin', 'index.ts'))).toBe(true);
    expect(realpathSync(join(root, 'node_modules'))).toBe(realpathSync(join(REPO_ROOT, 'node_modules')));
    const second = await installVersion(FAKE_PLUGIN, root, 'fake-provider', '1.0.0', ['plugin'], 5);
    expect(second.id).toBe('1.0.0-5'); // a number used before (even by a removed folder) is never reused
  });
});
