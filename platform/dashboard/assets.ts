/**
 * The page's files as `npm run build` bundles them (index.html, app.js, app.css in
 * `dist/platform/dashboard/public/`), read once at start. Only these names are served: no path
 * from a request ever reaches the file system.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: Buffer;
  contentType: string;
}

const FILES: Record<string, { file: string; contentType: string }> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', contentType: 'text/css; charset=utf-8' },
};

/** Where `npm run build` puts the bundle, beside this module in dist/. */
export function defaultAssetsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'public');
}

/** The assets by URL path; an empty map when the bundle was not built (the server then says so). */
export async function loadAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [path, { file, contentType }] of Object.entries(FILES)) {
    try {
      assets.set(path, { body: await readFile(join(dir, file)), contentType });
    } catch {
      return new Map();
    }
  }
  return assets;
}
