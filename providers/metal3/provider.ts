/**
 * The Metal3-backed NodeProvider: validates configuration, owns the host cache's lifecycle and
 * delegates each hook to its step (claim/createNode, releaseHost, nodeState, capacity). Calls for one
 * claim uid are serialised, so concurrent or repeated calls converge.
 */
import { inject, injectable } from 'tsyringe';
import type {
  JoinSpec,
  Logger,
  MachineView,
  NodeClaimView,
  NodeProvider,
  NodeState,
  NodeTypeView,
  PowerState,
  ProviderConfig,
  ReleaseState,
} from '../../plugin/contract.js';
import { nodeTypeViews } from './capacity.js';
import { CreateNode } from './claim/createNode.js';
import { validateProviderConfig } from './config.js';
import { Catalogue } from './catalogue.js';
import { HostCache } from './hostCache.js';
import { HostNetwork } from './hostNetwork.js';
import { HostPower } from './hostPower.js';
import { KeyedLock } from './keyedLock.js';
import { machineViews } from './machines.js';
import { toNodeState } from './nodeState.js';
import { ReleaseHost } from './releaseHost.js';
import { SettingsStore } from './settings.js';
import { LOGGER } from './tokens.js';

@injectable()
export class Metal3Provider implements NodeProvider {
  private readonly settings = new SettingsStore();
  private readonly locks = new KeyedLock();
  private readonly log: Logger;

  constructor(
    private readonly cache: HostCache,
    private readonly catalogue: Catalogue,
    private readonly claims: CreateNode,
    private readonly releases: ReleaseHost,
    private readonly network: HostNetwork,
    private readonly power: HostPower,
    @inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'provider' });
  }

  async configure(config: ProviderConfig): Promise<void> {
    const next = validateProviderConfig(config);
    await this.network.configure(next);
    const previous = this.settings.peek();
    this.settings.set(next);
    this.catalogue.start();
    if (previous?.hostNamespace !== next.hostNamespace || this.cache.namespace !== next.hostNamespace) {
      this.log.info({ namespace: next.hostNamespace, nodeTypes: [...next.nodeTypes.keys()] }, 'watching BareMetalHosts');
      await this.cache.start(next.hostNamespace);
    }
  }

  createNode(claim: NodeClaimView, join: JoinSpec | undefined, signal?: AbortSignal): Promise<NodeState> {
    return this.locks.run(claim.uid, async () => {
      const settings = this.settings.current();
      await this.cache.waitForSync();
      return this.claims.createNode(claim, join, settings, signal);
    });
  }

  deleteNode(claim: NodeClaimView): Promise<ReleaseState> {
    return this.locks.run(claim.uid, async () => {
      const settings = this.settings.current();
      await this.cache.waitForSync();
      return this.releases.deleteNode(claim, settings);
    });
  }

  async getNode(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>): Promise<NodeState | undefined> {
    this.settings.current();
    await this.cache.waitForSync();
    const host = this.cache.claimedBy(claim.uid)[0];
    return host ? toNodeState(host) : undefined;
  }

  async listNodes(): Promise<NodeState[]> {
    if (!this.settings.peek()) return [];
    await this.cache.waitForSync();
    return this.cache.claimUids().flatMap((uid) => this.cache.claimedBy(uid).map(toNodeState));
  }

  async nodeTypes(): Promise<NodeTypeView[]> {
    const settings = this.settings.peek();
    if (!settings) return [];
    await this.cache.waitForSync();
    return nodeTypeViews(settings, this.cache);
  }

  async listMachines(): Promise<MachineView[]> {
    const settings = this.settings.peek();
    if (!settings) return [];
    await this.cache.waitForSync();
    return machineViews(settings, this.cache.all());
  }

  /** Whether a host in the cache carries the claim's label. */
  holds(claimUid: string): boolean {
    return this.cache.claimedBy(claimUid).length > 0;
  }

  /** Whether the host cache has its first list (getNode/listNodes/nodeTypes answer without waiting). */
  isSynced(): boolean {
    return this.cache.isSynced();
  }

  setPower(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>, state: PowerState): Promise<void> {
    return this.locks.run(claim.uid, async () => {
      this.settings.current();
      await this.cache.waitForSync();
      return this.power.setPower(claim, state);
    });
  }

  reboot(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>): Promise<void> {
    return this.locks.run(claim.uid, async () => {
      this.settings.current();
      await this.cache.waitForSync();
      return this.power.reboot(claim);
    });
  }

  async stop(): Promise<void> {
    this.network.close();
    await Promise.all([this.cache.stop(), this.catalogue.stop()]);
  }
}
