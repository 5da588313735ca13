/**
 * The import boundaries of eslint.config.js, proven on planted files: ESLint's own Node API lints a
 * one-line module at a virtual path inside each product folder (nothing is written to the tree), with
 * the repository's real configuration. Each rule must fire on a forbidden import, and stay quiet on
 * the imports that folder is allowed.
 */
import { describe, expect, it } from '@jest/globals';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: REPO_ROOT });

/** The no-restricted-imports messages for `source` planted at `file` (a path relative to the repository). */
async function boundaryFindings(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const planted = [x];\n`, { filePath: join(REPO_ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const forbidden: [string, string, string, string][] = [
  ['the plugin imports the lab', 'plugin/planted.ts', "import { x } from '../lab/kube/index.js';", 'never imports the lab'],
  ['a provider imports the lab', 'providers/metal3/hosts/planted.ts', "import type { x } from '../../../lab/metal3/index.js';", 'never imports the lab'],
  ['the host imports the lab', 'platform/nodeClaims/planted.ts', "import { x } from '../../lab/world.js';", 'never imports the lab'],
  ['common code imports the lab', 'common/planted.ts', "import type { x } from '../lab/kube/status.js';", 'common/ imports nothing of the project'],
  ['the host imports a provider', 'platform/host/planted.ts', "import { x } from '../../providers/metal3/provider.js';", 'never imports providers/'],
  ['the host imports the plugin entry', 'platform/planted.ts', "import { x } from '../plugin/index.js';", 'only the contract'],
  ['a provider imports the plugin entry', 'providers/metal3/planted.ts', "import { x } from '../../plugin/index.js';", 'only the contract'],
  ['a provider imports the host', 'providers/metal3/planted.ts', "import { x } from '../../platform/deps.js';", 'never imports the host'],
  ['a provider imports common code', 'providers/metal3/planted.ts', "import { x } from '../../common/schemaValidate.js';", 'only plugin/contract.ts'],
  ['the plugin imports the host', 'plugin/planted.ts', "import { x } from '../platform/platform.js';", 'never imports the host'],
  ['common code imports the contract', 'common/planted.ts', "import type { x } from '../plugin/contract.js';", 'common/ imports nothing of the project'],
  ['product code imports a test helper', 'platform/planted.ts', "import { x } from '../test/support/lab.js';", 'never imports the tests'],
  ['a re-export reaches into the lab', 'providers/metal3/planted.ts', "export { x } from '../../lab/kube/index.js';\nimport { x } from './kube.js';", 'never imports the lab'],
];

const allowed: [string, string, string][] = [
  ['a provider imports the contract', 'providers/metal3/launch/planted.ts', "import { x } from '../../../plugin/contract.js';"],
  ['a provider imports its own folder', 'providers/metal3/hosts/planted.ts', "import { x } from '../kube.js';"],
  ['a provider imports an npm package and a builtin', 'providers/metal3/planted.ts', "import { x } from '@kubernetes/client-node';\nimport 'node:fs';"],
  ['the plugin entry imports a provider', 'plugin/planted.ts', "import { x } from '../providers/metal3/provider.js';"],
  ['the host imports the contract and common code', 'platform/host/planted.ts', "import { x } from '../../plugin/contract.js';\nimport '../../common/schemaValidate.js';"],
  ['common code imports a builtin and an npm package', 'common/planted.ts', "import { x } from 'yaml';\nimport 'node:path';"],
  ['the lab imports the host and a provider', 'lab/planted.ts', "import { x } from '../platform/platform.js';\nimport '../providers/metal3/provider.js';"],
];

describe('import boundaries (eslint.config.js)', () => {
  it.each(forbidden)('fires when %s', async (_case, file, source, reason) => {
    const findings = await boundaryFindings(file, source);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain(reason);
  });

  it.each(allowed)('stays quiet when %s', async (_case, file, source) => {
    expect(await boundaryFindings(file, source)).toEqual([]);
  });
});
