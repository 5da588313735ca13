/**
 * The provider the host sees: one NodeProvider whose node types may live in several sites (connected
 * clusters), each served by its own single-site Metal3Provider (see site.ts). Calls for a claim go to the
 * site of its node type; nodeTypes() and listNodes() gather every site. A site that is down only affects
 * its own types and claims: they are unavailable / retried (TransientError naming the Cluster), the others
 * carry on.
 */
import {
  InvalidConfigurationError, NotFoundError, TransientError, type JoinSpec, type Logger, type NodeClaimView, type PowerState,
  type MachineView, type NodeProvider, type NodeState, type NodeTypeView, type ProviderConfig, type ReleaseState,
} from '../../../plugin/contract.js';
import { validateProviderConfig } from '../config.js';
import { claimDisplayName } from '../claimRef.js';
import { Site, type SiteDeps } from './site.js';
import { siteLayouts } from './siteLayout.js';

export class SiteRouter implements NodeProvider {
  private sites = new Map<string, Site>();
  private byType = new Map<string, Site>();
  private configured?: string;
  private readonly unsubscribe?: () => void;
  private readonly log: Logger;

  constructor(private readonly deps: SiteDeps) {
    this.log = deps.logger.child({ component: 'sites' });
    this.unsubscribe = deps.clusters?.onChange((name) => this.onClusterChange(name));
  }

  async configure(config: ProviderConfig): Promise<void> {
    const settings = validateProviderConfig(config); // bad input: nothing changes
    const layouts = siteLayouts(config, settings);
    const next = new Map<string, Site>();
    for (const layout of layouts) next.set(layout.key, this.sites.get(layout.key) ?? new Site(layout, this.deps));
    await Promise.all(layouts.map((layout) => next.get(layout.key)!.apply(layout)));
    const gone = [...this.sites.values()].filter((site) => !next.has(site.key));
    this.sites = next;
    this.byType = new Map([...next.values()].flatMap((site) => site.nodeTypeNames.map((type) => [type, site] as const)));
    this.configured = config.name;
    if (gone.length) this.log.info({ sites: gone.map((s) => s.key) }, 'sites no longer configured: stopping them');
    await Promise.all(gone.map((site) => site.stop()));
  }

  async createNode(claim: NodeClaimView, join: JoinSpec, signal?: AbortSignal): Promise<NodeState> {
    return this.siteOfType(claim).reachable().createNode(claim, join, signal);
  }

  async deleteNode(claim: NodeClaimView): Promise<ReleaseState> {
    const site = this.byType.get(claim.nodeType) ?? this.holding(claim.uid);
    if (site) return site.reachable().deleteNode(claim);
    this.requireConfigured();
    return this.releaseEverywhere(claim);
  }

  async getNode(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'> & { nodeType?: string }): Promise<NodeState | undefined> {
    const site = (claim.nodeType ? this.byType.get(claim.nodeType) : undefined) ?? this.holding(claim.uid);
    return site?.provider?.getNode(claim);
  }

  async setPower(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>, state: PowerState): Promise<void> {
    return this.siteHolding(claim).reachable().setPower(claim, state);
  }

  async reboot(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>): Promise<void> {
    return this.siteHolding(claim).reachable().reboot(claim);
  }

  async listNodes(): Promise<NodeState[]> {
    const held = await Promise.all([...this.sites.values()].map((site) => site.provider?.listNodes() ?? []));
    return held.flat();
  }

  async nodeTypes(): Promise<NodeTypeView[]> {
    const views = await Promise.all([...this.sites.values()].map((site) => site.nodeTypes()));
    return views.flat();
  }

  /** Every site's machines; a machine without its own zone label shows its site's zone. */
  async listMachines(): Promise<MachineView[]> {
    const machines = await Promise.all([...this.sites.values()].map(async (site) => {
      const listed = (await site.provider?.listMachines()) ?? [];
      return listed.map((m) => {
        const zone = m.zone ?? site.zoneOf(m.nodeType);
        return zone ? { ...m, zone } : m;
      });
    }));
    return machines.flat();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    const sites = [...this.sites.values()];
    this.sites = new Map();
    this.byType = new Map();
    await Promise.all(sites.map((site) => site.stop()));
  }

  private requireConfigured(): void {
    if (!this.configured) throw new TransientError('metal3-provider is not configured yet (no NodeProvider applied)', { retryAfterMs: 1000 });
  }

  private siteOfType(claim: NodeClaimView): Site {
    this.requireConfigured();
    const site = this.byType.get(claim.nodeType);
    if (!site) {
      throw new InvalidConfigurationError(claimDisplayName(claim), 'spec.typeRef', `node type "${claim.nodeType}" is not configured in NodeProvider ${this.configured}`);
    }
    return site;
  }

  /**
   * A claim of no configured node type (deleted before the host gave it one, or its type was removed
   * from the NodeProvider) that no site's cache shows holding a host: every site releases what it may
   * still keep for it (IP reservations, Secrets), and the claim is Released only when all of them
   * are reachable and say so. Bad input cannot block a release: the contract's "Released when the
   * claim holds nothing".
   */
  private async releaseEverywhere(claim: NodeClaimView): Promise<ReleaseState> {
    const states = await Promise.all([...this.sites.values()].map((site) => site.reachable().deleteNode(claim)));
    return states.find((state) => state.phase !== 'Released') ?? { phase: 'Released' };
  }

  /** The site whose (synced) cache shows a host held by `claimUid`. */
  private siteHolding(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>): Site {
    const site = this.holding(claim.uid);
    if (!site) throw new NotFoundError(`NodeClaim ${claim.namespace}/${claim.name} holds no BareMetalHost`);
    return site;
  }

  private holding(claimUid: string): Site | undefined {
    return [...this.sites.values()].find((site) => site.provider?.holds(claimUid));
  }

  private onClusterChange(name: string): void {
    for (const site of this.sites.values()) if (site.cluster === name) site.onClusterChange();
  }
}
