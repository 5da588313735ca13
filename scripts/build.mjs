// Compiles TypeScript to dist/ (or `--out DIR`) and copies the runtime assets (templates, CRDs,
// manifest) beside it, so that module-relative paths resolve the same from source (jest) and from
// dist (npm start). `--out` is how test/deploy/image.test.ts builds without touching the repo's dist/.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, existsSync } from 'node:fs';
import { bundleDashboard } from './bundleDashboard.mjs';

const outFlag = process.argv.indexOf('--out');
const out = outFlag >= 0 ? process.argv[outFlag + 1] : 'dist';
if (!out) throw new Error('--out needs a directory');

rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--outDir', out], { stdio: 'inherit' });
for (const dir of ['templates', 'deploy', 'lab/crds', 'lab/fleet']) {
  if (existsSync(dir)) cpSync(dir, `${out}/${dir}`, { recursive: true, filter: (src) => !src.endsWith('.ts') });
}
for (const file of ['manifest.yaml', 'package.json']) {
  if (existsSync(file)) cpSync(file, `${out}/${file}`);
}
await bundleDashboard(`${out}/platform/dashboard/public`);
