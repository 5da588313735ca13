/**
 * The platform config file (`platform.yaml`): which provider plugins to load and the platform's
 * options. Every problem names the file and the field.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_DASHBOARD, type DashboardConfig } from './dashboard/index.js';
import { DEFAULT_PLATFORM_OPTIONS, type PlatformOptions } from './deps.js';

export interface ProviderRegistration {
  /** Registered name; the plugin's manifest `name` must equal it. */
  name: string;
  /** Absolute path of the plugin package (the folder holding manifest.yaml). */
  path: string;
}

export interface PluginLoadingOptions {
  /** Bound for in-flight calls to finish on the old version before it is disposed. */
  drainTimeoutMs: number;
  /** How often the installed manifest's `version` is checked; 0 disables the check. */
  versionPollMs: number;
}

export interface PlatformConfig {
  providers: ProviderRegistration[];
  options: PlatformOptions;
  plugins: PluginLoadingOptions;
  /** Port of the `/metrics`, `/healthz` and `/readyz` endpoint; 0 picks a free port. */
  metricsPort: number;
  /** The fleet dashboard's listener; absent: no dashboard. platform.yaml turns it on unless `dashboard.enabled: false`. */
  dashboard?: DashboardConfig;
  /** Address that endpoint listens on; default 127.0.0.1 (a Pod uses 0.0.0.0 so kubelet can probe it). */
  metricsAddress?: string;
}

export const DEFAULT_PLUGIN_LOADING: PluginLoadingOptions = { drainTimeoutMs: 10_000, versionPollMs: 2_000 };

export class PlatformConfigError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field}: ${problem}`);
    this.name = 'PlatformConfigError';
  }
}

export async function loadPlatformConfig(file: string): Promise<PlatformConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PlatformConfigError(file, '(file)', `cannot read: ${(err as Error).message}`);
  }
  return parsePlatformConfig(text, file);
}

/** Parses config text; relative provider paths are resolved against the file's folder. */
export function parsePlatformConfig(text: string, file: string): PlatformConfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new PlatformConfigError(file, '(document)', `not valid YAML: ${(err as Error).message}`);
  }
  const root = asObject(doc ?? {}, file, '(document)');
  const fail = (field: string, problem: string) => new PlatformConfigError(file, field, problem);

  const providersRaw = root.providers ?? [];
  if (!Array.isArray(providersRaw)) throw fail('providers', 'must be a list');
  const seen = new Set<string>();
  const providers = providersRaw.map((raw, i): ProviderRegistration => {
    const p = asObject(raw, file, `providers[${i}]`);
    if (typeof p.name !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name)) {
      throw fail(`providers[${i}].name`, 'must be a DNS label such as metal3-provider');
    }
    if (seen.has(p.name)) throw fail(`providers[${i}].name`, `"${p.name}" is registered twice`);
    seen.add(p.name);
    if (typeof p.path !== 'string' || p.path === '') throw fail(`providers[${i}].path`, 'must be the plugin package folder');
    return { name: p.name, path: resolve(dirname(resolve(file)), p.path) };
  });

  const platform = asObject(root.platform ?? {}, file, 'platform');
  const duration = (field: string, fallback: number) => parseDurationField(platform[field], fallback, () => fail(`platform.${field}`, 'must be a duration such as 90s, 10m, 1h or milliseconds'));
  const backoff = asObject(platform.capacityBackoff ?? {}, file, 'platform.capacityBackoff');
  const backoffDuration = (field: string, fallback: number) => parseDurationField(backoff[field], fallback, () => fail(`platform.capacityBackoff.${field}`, 'must be a duration'));
  const ttlMs = duration('tokenTtl', DEFAULT_PLATFORM_OPTIONS.tokenTtlSeconds * 1000);
  const options: PlatformOptions = {
    joinTimeoutMs: duration('joinTimeout', DEFAULT_PLATFORM_OPTIONS.joinTimeoutMs),
    tokenTtlSeconds: Math.ceil(ttlMs / 1000),
    capacityBackoff: {
      initialMs: backoffDuration('initial', DEFAULT_PLATFORM_OPTIONS.capacityBackoff.initialMs),
      maxMs: backoffDuration('max', DEFAULT_PLATFORM_OPTIONS.capacityBackoff.maxMs),
    },
    pollIntervalMs: duration('pollInterval', DEFAULT_PLATFORM_OPTIONS.pollIntervalMs),
    drainTimeoutMs: duration('drainTimeout', DEFAULT_PLATFORM_OPTIONS.drainTimeoutMs),
  };
  if (options.capacityBackoff.maxMs < options.capacityBackoff.initialMs) {
    throw fail('platform.capacityBackoff.max', 'must not be smaller than initial');
  }
  const plugins: PluginLoadingOptions = {
    drainTimeoutMs: duration('pluginDrainTimeout', DEFAULT_PLUGIN_LOADING.drainTimeoutMs),
    versionPollMs: duration('pluginVersionPoll', DEFAULT_PLUGIN_LOADING.versionPollMs),
  };
  const metrics = asObject(root.metrics ?? {}, file, 'metrics');
  const metricsPort = metrics.port ?? 9464;
  if (typeof metricsPort !== 'number' || !Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535) {
    throw fail('metrics.port', 'must be a port number 0-65535 (0 picks a free port)');
  }
  const metricsAddress = metrics.address ?? '127.0.0.1';
  if (typeof metricsAddress !== 'string' || !/^[0-9a-fA-F.:]+$/.test(metricsAddress)) {
    throw fail('metrics.address', 'must be an IP address to listen on, e.g. 0.0.0.0 or 127.0.0.1');
  }
  return { providers, options, plugins, metricsPort, metricsAddress, ...dashboardSection(root.dashboard, file) };
}

function dashboardSection(raw: unknown, file: string): { dashboard?: DashboardConfig } {
  const d = asObject(raw ?? {}, file, 'dashboard');
  const fail = (field: string, problem: string) => new PlatformConfigError(file, `dashboard.${field}`, problem);
  if (d.enabled !== undefined && typeof d.enabled !== 'boolean') throw fail('enabled', 'must be true or false');
  if (d.enabled === false) return {};
  const port = d.port ?? DEFAULT_DASHBOARD.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw fail('port', 'must be a port number 0-65535 (0 picks a free port)');
  const address = d.address ?? DEFAULT_DASHBOARD.address;
  if (typeof address !== 'string' || address === '') throw fail('address', 'must be an IP address or host name to bind, such as 127.0.0.1 or 0.0.0.0');
  if (d.requireToken !== undefined && typeof d.requireToken !== 'boolean') throw fail('requireToken', 'must be true or false');
  return { dashboard: { port, address, ...(d.requireToken !== undefined ? { requireToken: d.requireToken } : {}) } };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `1500` (ms), `"90s"`, `"10m"`, `"1h30m"`; undefined means the fallback. */
export function parseDurationField(value: unknown, fallback: number, invalid: () => Error): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string' || !/^(\d+(ms|s|m|h))+$/.test(value)) throw invalid();
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+)(ms|s|m|h)/g)) total += Number(n) * UNIT_MS[unit];
  return total;
}

function asObject(value: unknown, file: string, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PlatformConfigError(file, field, 'must be a mapping');
  }
  return value as Record<string, unknown>;
}
