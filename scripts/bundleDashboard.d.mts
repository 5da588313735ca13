/** Bundles the dashboard page into `outdir` (index.html, app.js, app.css); resolves to `outdir`. */
export function bundleDashboard(outdir: string): Promise<string>;
