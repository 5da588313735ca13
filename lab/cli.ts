/**
 * The lab's command line: `lab --dir DIR --api-only [--port N]` serves only the Kubernetes API;
 * `lab` (full world, or with `--kubeconfig FILE [--config platform.yaml]` only the platform against a
 * real management cluster) and `start` (the demo) are handed to lab/demo/run.js.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startKubeApi, type KubeApiServer } from './kube/index.js';

export interface LabArgs {
  command: string;
  dir: string;
  port?: number;
  apiOnly: boolean;
  kubeconfig?: string;
  config?: string;
  /** Connected clusters (sites) of the lab world; 0: the fleet lives in the management cluster. */
  sites?: number;
  rest: string[];
}

export function parseArgs(argv: string[]): LabArgs {
  const [command = 'help', ...args] = argv;
  const out: LabArgs = { command, dir: '.lab', apiOnly: false, rest: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--dir') out.dir = args[++i] ?? '';
    else if (a === '--port') {
      const p = Number(args[++i]);
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`--port: expected an integer 0..65535, got ${JSON.stringify(args[i])}`);
      out.port = p;
    } else if (a === '--api-only') out.apiOnly = true;
    else if (a === '--kubeconfig') out.kubeconfig = args[++i];
    else if (a === '--config') out.config = args[++i];
    else if (a === '--sites') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 0 || n > 26) throw new Error(`--sites: expected an integer 0..26, got ${JSON.stringify(args[i])}`);
      out.sites = n;
    }
    else out.rest.push(a);
  }
  if (!out.dir) throw new Error('--dir: a directory is required');
  return out;
}

/** Starts the API server alone and writes DIR/kubeconfig once it is serving. */
export async function runApiOnly(opts: { dir: string; port?: number }): Promise<KubeApiServer> {
  await mkdir(opts.dir, { recursive: true });
  const server = await startKubeApi({ port: opts.port ?? 0, name: 'lab' });
  await server.writeKubeconfig(path.join(opts.dir, 'kubeconfig'));
  return server;
}

const USAGE = 'usage: cli.js lab --dir DIR [--api-only] [--port N] [--sites N] [--kubeconfig FILE [--config platform.yaml]] | cli.js start [--timeout S]';

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'lab' && args.apiOnly) {
    const server = await runApiOnly({ dir: args.dir, port: args.port });
    console.log(server.url);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  }
  if (args.command === 'lab' || args.command === 'start') {
    // Loaded only here so that `--api-only` starts without the platform's modules.
    const platform = await import('./demo/run.js');
    if (args.command === 'lab') await platform.runLab({ dir: args.dir, port: args.port, kubeconfig: args.kubeconfig, config: args.config, sites: args.sites });
    else await platform.runStart(argv.slice(1));
    return 0;
  }
  console.error(USAGE);
  return args.command === 'help' || args.command === '--help' ? 0 : 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error((e as Error).message);
      process.exit(1);
    },
  );
}
