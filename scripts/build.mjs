// Compiles TypeScript to dist/ and copies the runtime assets (templates, CRDs, manifest) beside it,
// so that module-relative paths resolve the same from source (jest) and from dist (npm start).
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync, existsSync } from 'node:fs';
import { bundleDashboard } from './bundleDashboard.mjs';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
for (const dir of ['templates', 'deploy', 'lab/crds', 'lab/fleet']) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true, filter: (src) => !src.endsWith('.ts') });
}
for (const file of ['manifest.yaml', 'package.json']) {
  if (existsSync(file)) cpSync(file, `dist/${file}`);
}
await bundleDashboard('dist/platform/dashboard/public');
