/** The registered provider plugins, by name: what controllers see as `ProviderDirectory`. */
import type { NodeProvider } from '../../plugin/contract.js';
import type { ProviderDirectory } from '../deps.js';
import { ProviderPlugin, type ProviderPluginOptions } from './providerPlugin.js';

export class PluginDirectory implements ProviderDirectory {
  private readonly plugins = new Map<string, ProviderPlugin>();

  get(name: string): NodeProvider | undefined {
    const plugin = this.plugins.get(name);
    return plugin?.version ? plugin.provider : undefined;
  }

  names(): string[] {
    return [...this.plugins.keys()];
  }

  /** The serving version's NodeProvider spec schema (manifest `config.schema`). */
  configSchema(name: string): Record<string, unknown> | undefined {
    return this.plugins.get(name)?.configSchema;
  }

  plugin(name: string): ProviderPlugin | undefined {
    return this.plugins.get(name);
  }

  /**
   * Registers and activates a provider. When activation fails the provider stays registered but
   * inactive (get() is undefined), so a fixed version (version change or reload()) can still take over.
   */
  async register(options: ProviderPluginOptions): Promise<ProviderPlugin> {
    const name = options.registration.name;
    if (this.plugins.has(name)) throw new Error(`provider ${name} is already registered`);
    const plugin = new ProviderPlugin(options);
    this.plugins.set(name, plugin);
    await plugin.start();
    return plugin;
  }

  /** Reloads one provider or all; rejects with the first failure after trying each. */
  async reload(name?: string): Promise<void> {
    const targets = name ? [this.plugins.get(name)] : [...this.plugins.values()];
    if (name && !targets[0]) throw new Error(`no provider registered as ${name}`);
    const results = await Promise.allSettled(targets.map((p) => p!.reload()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async stop(): Promise<void> {
    const all = [...this.plugins.values()];
    this.plugins.clear();
    await Promise.all(all.map((p) => p.stop()));
  }
}
