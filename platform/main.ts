/**
 * The platform host's entry: loads the provider plugins named in the platform config and runs the
 * controllers against a management cluster, until SIGINT/SIGTERM (SIGHUP reloads the plugins).
 *
 *   node dist/platform/main.js --config platform.yaml [--kubeconfig FILE] [--state-dir DIR]
 *
 * Without `--kubeconfig` the client's default loading applies ($KUBECONFIG, ~/.kube/config, or the
 * in-cluster ServiceAccount when running in a Pod). Nothing here knows the lab.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { KeepAliveKubeConfig } from '../common/keepAlive.js';
import { loadPlatformConfig } from './config.js';
import { startPlatform, type Platform } from './platform.js';

export interface HostArgs {
  config: string;
  kubeconfig?: string;
  stateDir: string;
}

export function parseHostArgs(argv: string[]): HostArgs {
  const out: Partial<HostArgs> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (!v) throw new Error(`${a}: a value is required`);
      return v;
    };
    if (a === '--config') out.config = value();
    else if (a === '--kubeconfig') out.kubeconfig = value();
    else if (a === '--state-dir') out.stateDir = value();
    else throw new Error(`unknown argument ${JSON.stringify(a)} (usage: main.js --config platform.yaml [--kubeconfig FILE] [--state-dir DIR])`);
  }
  return { config: out.config ?? 'platform.yaml', kubeconfig: out.kubeconfig, stateDir: out.stateDir ?? '.platform' };
}

/** Runs the host against the cluster of `kubeconfig` (or the default one) until a signal. */
export async function runHost(args: HostArgs): Promise<void> {
  const loaded = new KubeConfig();
  if (args.kubeconfig) loaded.loadFromFile(args.kubeconfig);
  else loaded.loadFromDefault();
  // One keep-alive agent per cluster: client-node alone makes a TLS handshake per request.
  const kubeConfig = new KeepAliveKubeConfig(loaded).kubeConfig;
  const config = await loadPlatformConfig(args.config);
  const platform = await startPlatform({ kubeConfig, config, stateDir: resolve(args.stateDir) });
  console.error(`platform running against ${kubeConfig.getCurrentCluster()?.server ?? '(default cluster)'}; metrics ${platform.metricsUrl}; dashboard ${platform.dashboardUrl ?? 'off'}`);
  await untilSignal(platform);
  await platform.stop();
}

/** Resolves on SIGINT/SIGTERM; SIGHUP reloads the provider plugins meanwhile. */
export async function untilSignal(platform: Platform): Promise<void> {
  const onHup = () => {
    platform.reload().then(
      () => console.error('plugins reloaded'),
      (err: unknown) => console.error(`plugin reload failed (the previous version keeps serving): ${(err as Error).message}`),
    );
  };
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  process.off('SIGHUP', onHup);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runHost(parseHostArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error((e as Error).message);
      process.exit(1);
    },
  );
}
