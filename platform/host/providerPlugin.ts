/**
 * One registered provider plugin with hot reload. Each version is copied into its own folder and
 * imported from there; new calls switch to it only after `activate()` (and re-applying the last
 * good configuration) succeeded. Calls already running finish on the old version, which is
 * disposed once drained (bounded). A failed activation leaves the old version serving.
 */
import { unwatchFile, watchFile } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  TransientError,
  UnsupportedError,
  type Clock,
  type ConnectedClusters,
  type EventRecorder,
  type Logger,
  type NodeProvider,
  type PluginHost,
  type PluginModule,
  type ProviderConfig,
} from '../../plugin/contract.js';
import type { ProviderRegistration } from '../config.js';
import { API_VERSION } from '../runtime/apis.js';
import { ActiveVersion } from './activeVersion.js';
import { installVersion, removeVersion } from './install.js';
import { loadManifest, manifestPathOf, readManifestVersion } from './manifest.js';
import { pluginWatches, type PluginWatches } from './pluginWatches.js';

export interface ProviderPluginOptions {
  registration: ProviderRegistration;
  /** Version folders go to `<pluginsRoot>/<name>/<version>-<n>/`. */
  pluginsRoot: string;
  kubeConfig: KubeConfig;
  /** Connected clusters, handed to every plugin version. */
  clusters?: ConnectedClusters;
  logger: Logger;
  events: EventRecorder;
  clock?: Clock;
  replicaId?: string;
  drainTimeoutMs: number;
  /** 0 disables polling the installed manifest's version. */
  versionPollMs: number;
  onReload?: (outcome: 'ok' | 'failed') => void;
  /** The plugin said its node types changed (PluginHost.nodeTypesChanged); the receiver coalesces. */
  onNodeTypesChanged?: () => void;
}

const PROVIDER_METHODS = ['configure', 'createNode', 'deleteNode', 'getNode', 'listNodes', 'nodeTypes', 'listMachines', 'setPower', 'reboot'] as const;

export class ProviderPlugin {
  /** Stable for the host's lifetime: routes every call to the version current when it starts. */
  readonly provider: NodeProvider;
  private current: ActiveVersion | undefined;
  private lastConfig: ProviderConfig | undefined;
  private switching: Promise<unknown> = Promise.resolve();
  private watching = false;
  private nextAttempt = 1;
  private stopped = false;
  /** Each version's `PluginHost.watches`, stopped when the version is retired or fails to activate. */
  private readonly watches = new Map<string, PluginWatches>();
  private readonly log: Logger;

  constructor(private readonly opts: ProviderPluginOptions) {
    this.log = opts.logger.child({ provider: opts.registration.name });
    this.provider = this.makeProxy();
  }

  get name(): string {
    return this.opts.registration.name;
  }

  /** The serving version (`1.2.0`), undefined before start and after stop. */
  get version(): string | undefined {
    return this.current?.version;
  }

  get versionId(): string | undefined {
    return this.current?.id;
  }

  get configSchema(): Record<string, unknown> | undefined {
    return this.current?.configSchema;
  }

  /** Starts watching for new versions and activates the installed one (throws when it cannot). */
  async start(): Promise<void> {
    // Watch first: when the installed version cannot be activated, installing a fixed one still recovers.
    if (this.opts.versionPollMs > 0) {
      watchFile(manifestPathOf(this.opts.registration.path), { interval: this.opts.versionPollMs, persistent: true }, () => {
        void this.onManifestChanged();
      });
      this.watching = true;
    }
    await this.reload();
  }

  /** Activates the installed package again (a new version or the same one); serialized. */
  reload(): Promise<void> {
    const next = this.switching.then(() => this.switchVersion());
    this.switching = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watching) unwatchFile(manifestPathOf(this.opts.registration.path));
    this.watching = false;
    await this.switching;
    const old = this.current;
    this.current = undefined;
    if (old) await this.retire(old);
  }

  private async onManifestChanged(): Promise<void> {
    if (this.stopped) return;
    const installed = await readManifestVersion(this.opts.registration.path);
    if (!installed || installed === this.current?.version) return;
    this.log.info({ from: this.current?.version, to: installed }, 'plugin version changed: reloading');
    await this.reload().catch(() => undefined); // already logged and reported by switchVersion
  }

  private async switchVersion(): Promise<void> {
    if (this.stopped) throw new Error(`provider ${this.name}: stopped`);
    const { registration } = this.opts;
    let installedDir: string | undefined;
    let installedId: string | undefined;
    let next: ActiveVersion | undefined;
    try {
      const loaded = await loadManifest(registration.path, registration.name);
      const { manifest } = loaded;
      const installed = await installVersion(
        registration.path, this.opts.pluginsRoot, registration.name, manifest.version, manifest.files, this.nextAttempt,
      );
      this.nextAttempt = installed.attempt + 1;
      installedDir = installed.dir;
      installedId = installed.id;
      const entry = join(installed.dir, relative(registration.path, loaded.entryPath));
      const mod = (await import(pathToFileURL(entry).href)) as Partial<PluginModule>;
      if (typeof mod.activate !== 'function') {
        throw new Error(`${loaded.manifestPath}: entry: ${manifest.entry} does not export activate(host)`);
      }
      const activation = await mod.activate(this.pluginHost(installed.id));
      next = new ActiveVersion(manifest.version, installed.id, installed.dir, activation, manifest.configSchema);
      // The new version must serve the configuration already in force before it takes calls.
      if (this.lastConfig) await activation.provider.configure(this.lastConfig);
    } catch (err) {
      if (next) await next.activation.dispose().catch(() => undefined);
      if (installedId) await this.stopWatches(installedId);
      if (installedDir) await removeVersion(installedDir).catch(() => undefined);
      const message = err instanceof Error ? err.message : String(err);
      this.log.error({ err: message, serving: this.current?.id ?? null }, 'plugin activation failed');
      this.opts.events.record(this.providerRef(), 'Warning', 'PluginActivationFailed',
        `${message}${this.current ? `; version ${this.current.version} keeps serving` : ''}`);
      this.opts.onReload?.('failed');
      throw err;
    }
    const old = this.current;
    this.current = next;
    this.log.info({ version: next.id, previous: old?.id ?? null }, 'plugin version active');
    this.opts.onReload?.('ok');
    if (old) await this.retire(old);
  }

  /** Lets in-flight calls finish (bounded), then disposes the version and deletes its folder. */
  private async retire(old: ActiveVersion): Promise<void> {
    const drained = await old.drain(this.opts.drainTimeoutMs);
    if (!drained) {
      this.log.warn({ version: old.id, inFlight: old.inFlight, drainTimeoutMs: this.opts.drainTimeoutMs }, 'disposing plugin version with calls still in flight');
    }
    try {
      await old.activation.dispose();
    } catch (err) {
      this.log.error({ version: old.id, err: (err as Error).message }, 'plugin dispose failed');
    }
    await this.stopWatches(old.id);
    await removeVersion(old.dir).catch(() => undefined);
    this.log.info({ version: old.id }, 'plugin version disposed');
  }

  private pluginHost(versionId: string): PluginHost {
    const logger = this.log.child({ pluginVersion: versionId });
    const watches = pluginWatches({
      kubeConfig: this.opts.kubeConfig, clusters: this.opts.clusters, logger, events: this.opts.events, provider: this.providerRef(),
    });
    this.watches.set(versionId, watches);
    return {
      providerName: this.name,
      kubeConfig: this.opts.kubeConfig,
      clusters: this.opts.clusters,
      watches,
      logger,
      events: this.opts.events,
      clock: this.opts.clock,
      replicaId: this.opts.replicaId,
      nodeTypesChanged: () => {
        if (!this.stopped) this.opts.onNodeTypesChanged?.();
      },
    };
  }

  private async stopWatches(versionId: string): Promise<void> {
    const watches = this.watches.get(versionId);
    this.watches.delete(versionId);
    await watches?.stop().catch(() => undefined);
  }

  private providerRef() {
    return { apiVersion: API_VERSION, kind: 'NodeProvider', name: this.name };
  }

  private makeProxy(): NodeProvider {
    const route = (method: (typeof PROVIDER_METHODS)[number]) => async (...args: unknown[]) => {
      const version = this.current;
      if (!version) throw new TransientError(`provider ${this.name} has no active plugin version`);
      const call = version.activation.provider[method] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      // Optional hooks: a version without listMachines() has no machines to show; one without power hooks says so.
      if (!call && (method === 'setPower' || method === 'reboot')) throw new UnsupportedError(`provider ${this.name} does not support ${method}`);
      if (!call) return [];
      const result = await version.run(() => call.apply(version.activation.provider, args));
      if (method === 'configure') this.lastConfig = args[0] as ProviderConfig;
      return result;
    };
    const proxy: Record<string, unknown> = {};
    for (const method of PROVIDER_METHODS) proxy[method] = route(method);
    return proxy as unknown as NodeProvider;
  }
}
