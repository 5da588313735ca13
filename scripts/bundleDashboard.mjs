// Bundles the dashboard page (platform/dashboard/client: Preact + TSX) into OUTDIR/{index.html,app.js,app.css}
// with esbuild: everything the browser loads comes from this bundle, nothing from a CDN.
// Used by scripts/build.mjs (OUTDIR dist/platform/dashboard/public) and by the browser tests.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CLIENT = resolve(dirname(fileURLToPath(import.meta.url)), '../platform/dashboard/client');

export async function bundleDashboard(outdir) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(CLIENT, 'main.tsx')],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    tsconfig: join(CLIENT, 'tsconfig.json'),
  });
  copyFileSync(join(CLIENT, 'index.html'), join(outdir, 'index.html'));
  return outdir;
}
