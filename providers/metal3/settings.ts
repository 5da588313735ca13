/** The last good provider configuration of this activation. */
import { TransientError } from '../../plugin/contract.js';
import type { ProviderSettings } from './config.js';

export class SettingsStore {
  private settings?: ProviderSettings;

  /** The current settings; TransientError until configure() succeeded once. */
  current(): ProviderSettings {
    if (!this.settings) throw new TransientError('metal3-provider is not configured yet (no NodeProvider applied)', { retryAfterMs: 1000 });
    return this.settings;
  }

  peek(): ProviderSettings | undefined {
    return this.settings;
  }

  set(settings: ProviderSettings): void {
    this.settings = settings;
  }
}
