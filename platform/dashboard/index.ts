/**
 * The host's read-only fleet dashboard: one page, live over server-sent events, served from what
 * the host already holds in memory (see fleetFeed.ts). Bound to 127.0.0.1 unless configured
 * otherwise; exposed, it asks for a bearer token checked against the management API (access.ts).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock, Logger } from '../../plugin/contract.js';
import type { ProviderDirectory } from '../deps.js';
import type { InformerCache } from '../nodeTypes/controller.js';
import type { RecordedEvent } from '../observability/events.js';
import { isLoopback, openAccess, TokenReviewAccess } from './access.js';
import { defaultAssetsDir, loadAssets } from './assets.js';
import { FleetFeed } from './fleetFeed.js';
import { DashboardServer } from './server.js';

export interface DashboardConfig {
  /** 0 picks a free port. */
  port: number;
  /** Bind address; anything but loopback requires a bearer token. */
  address: string;
  /** Require a token even on loopback (e.g. behind `kubectl port-forward`, which arrives on the Pod's loopback). */
  requireToken?: boolean;
}

export const DEFAULT_DASHBOARD: DashboardConfig = { port: 9465, address: '127.0.0.1' };

export interface DashboardDeps {
  config: DashboardConfig;
  kubeConfig: KubeConfig;
  providers: ProviderDirectory;
  cache: InformerCache;
  events: { recent(): RecordedEvent[]; watch(fn: () => void): () => void };
  clock: Clock;
  logger: Logger;
  /** Folder holding index.html, app.js, app.css (default: beside this module, as `npm run build` writes it). */
  assetsDir?: string;
  /** How often open streams are kept alive and their token checked again (default 15 s). */
  recheckMs?: number;
}

export interface Dashboard {
  url: string;
  /** Whether data requests need a bearer token. */
  requiresToken: boolean;
  stop(): Promise<void>;
}

export async function startDashboard(deps: DashboardDeps): Promise<Dashboard> {
  const logger = deps.logger.child({ component: 'dashboard' });
  const requiresToken = deps.config.requireToken ?? !isLoopback(deps.config.address);
  const access = requiresToken ? new TokenReviewAccess(deps.kubeConfig, logger) : openAccess;
  const assets = await loadAssets(deps.assetsDir ?? defaultAssetsDir());
  if (assets.size === 0) logger.warn({ dir: deps.assetsDir ?? defaultAssetsDir() }, 'dashboard page not built (npm run build); serving the API only');
  const feed = new FleetFeed({ providers: deps.providers, cache: deps.cache, events: deps.events, clock: deps.clock, logger });
  await feed.start();
  const server = new DashboardServer({ feed, access, assets, logger, recheckMs: deps.recheckMs });
  let url: string;
  try {
    url = await server.listen(deps.config.port, deps.config.address);
  } catch (err) {
    await feed.stop();
    throw err;
  }
  return {
    url,
    requiresToken,
    async stop() {
      await server.stop();
      await feed.stop();
    },
  };
}
