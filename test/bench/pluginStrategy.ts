/**
 * The plugin as the host runs it: activate(), configure(), then createNode per claim. Selection time
 * is measured in place by wrapping the provider's private `pick` (cache read + eligibility +
 * rendezvous choice) on ClaimTargeting's prototype for the life of this strategy; dispose() restores it.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ConnectedClusters, NodeClaimView, NodeProvider, PluginActivation, ProviderConfig } from '../../plugin/contract.js';
import { activate } from '../../plugin/index.js';
import { aPluginHost } from '../support/pluginHost.js';
import { ClaimTargeting } from '../../providers/metal3/claimTarget.js';
import { JOIN, providerConfig } from './scenario.js';
import { CountingLogger, type ClaimStrategy } from './strategy.js';

/** The plugin's log line for a 409 on the host write (providers/metal3/claim/createNode.ts). */
const LOST_RACE = 'lost the race for BareMetalHost; choosing again';

type Pick = (...args: unknown[]) => unknown;
type PickOwner = { pick: Pick };

function pickOwner(): PickOwner {
  const proto = ClaimTargeting.prototype as unknown as Partial<PickOwner>;
  if (typeof proto.pick !== 'function') throw new Error('ClaimTargeting has no pick() any more: update test/bench/pluginStrategy.ts');
  return proto as PickOwner;
}

export class PluginStrategy implements ClaimStrategy {
  readonly name = 'plugin';
  private readonly logger = new CountingLogger();
  private activation?: PluginActivation;
  private readonly selections: number[] = [];
  private restorePick?: () => void;

  /** `clusters` and `config`: the multi-site bench's connected clusters and NodeProvider (default: one site, `providerConfig()`). */
  constructor(private readonly kc: KubeConfig, private readonly opts: { clusters?: ConnectedClusters; config?: ProviderConfig } = {}) {}

  async warmUp(): Promise<void> {
    this.restorePick = this.timePick();
    this.activation = await activate(aPluginHost(this.kc, { logger: this.logger, replicaId: 'bench', clusters: this.opts.clusters }));
    await this.activation.provider.configure(this.opts.config ?? providerConfig());
  }

  async createNode(claim: NodeClaimView): Promise<void> {
    if (!this.activation) throw new Error('PluginStrategy: warmUp() first');
    await this.activation.provider.createNode(claim, JOIN);
  }

  /** The activated provider (after warmUp). */
  get provider(): NodeProvider {
    if (!this.activation) throw new Error('PluginStrategy: warmUp() first');
    return this.activation.provider;
  }

  conflicts(): number {
    return this.logger.count(LOST_RACE);
  }

  selectionMs(): number[] {
    return this.selections;
  }

  async dispose(): Promise<void> {
    await this.activation?.dispose();
    this.activation = undefined;
    this.restorePick?.();
    this.restorePick = undefined;
  }

  private timePick(): () => void {
    const proto = pickOwner();
    const original = proto.pick;
    const selections = this.selections;
    proto.pick = function timedPick(this: unknown, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        selections.push(performance.now() - started);
      }
    };
    return () => {
      proto.pick = original;
    };
  }
}
