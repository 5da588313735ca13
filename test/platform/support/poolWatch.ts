/**
 * For tests of a static pool's drift: a kubelet stand-in that joins every machine the fake provider
 * provisions (unless held), and a watch that checks, at every change it observes of the claims and the
 * tenant's Nodes, that the pool keeps its Ready nodes and that a drifted claim is deleted only after its
 * replacement joined. Both use the host's own informer over the harness's real HTTP APIs.
 */
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { startResourceInformer, type ResourceInformer } from '../../../platform/runtime/informer.js';
import { LABEL_POOL, LABEL_VCLUSTER, REPLACES_ANNOTATION, type NodeClaim } from '../../../platform/nodeClaims/types.js';
import type { FakeProvider } from './fakeProvider.js';
import { GROUP, VERSION, type Harness } from './harness.js';
import { joinTenantNode } from './objects.js';

/** Joins each provisioned machine's Node in the tenant, except claims `hold` names; `owner` maps Node to claim. */
export class KubeletStandIn {
  readonly owner = new Map<string, { namespace: string; claim: string }>();
  hold: (claimName: string) => boolean = () => false;
  private readonly timer: NodeJS.Timeout;
  private busy = false;

  constructor(private readonly h: Harness, private readonly provider: FakeProvider) {
    this.timer = setInterval(() => void this.pass(), 50);
  }

  private async pass(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const [uid, state] of this.provider.nodes) {
        if (state.phase !== 'Provisioning' || this.hold(state.claimName)) continue;
        this.provider.setPhase(uid, 'Provisioned');
        this.owner.set(state.machine.name, { namespace: state.claimNamespace, claim: state.claimName });
        await joinTenantNode(this.h, state.machine.name);
      }
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * Watches one pool; `violations` lists every observation that broke the rules once `guard` is on:
 * fewer Ready nodes than `quantity`, or a claim that is no replacement deleted before a replacement of it joined.
 */
export class PoolWatch {
  readonly violations: string[] = [];
  /** Most live claims of the pool seen at once. */
  maxLive = 0;
  guard = false;
  private claims?: ResourceInformer<NodeClaim>;
  private nodes?: ResourceInformer<V1Node>;
  private readonly seenDeleting = new Set<string>();

  constructor(private readonly h: Harness, private readonly kubelet: KubeletStandIn, private readonly vci: string, private readonly pool: string, public quantity: number) {}

  async start(): Promise<this> {
    const mgmt = this.h.mgmt.kubeConfig();
    this.claims = await startResourceInformer<NodeClaim>({
      kubeConfig: mgmt, path: `/apis/${GROUP}/${VERSION}/nodeclaims`,
      list: () => this.h.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: 'nodeclaims' }) as never,
      onChange: () => this.observe(), logger: this.h.logger,
    });
    const tenant = this.h.tenant.kubeConfig();
    const core = tenant.makeApiClient(CoreV1Api);
    this.nodes = await startResourceInformer<V1Node>({
      kubeConfig: tenant, path: '/api/v1/nodes', list: () => core.listNode(), onChange: () => this.observe(), logger: this.h.logger,
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.claims?.stop();
    await this.nodes?.stop();
  }

  /** The pool's claims as last seen. */
  poolClaims(): NodeClaim[] {
    return (this.claims?.list() ?? []).filter((c) => c.metadata.labels?.[LABEL_VCLUSTER] === this.vci && c.metadata.labels?.[LABEL_POOL] === this.pool);
  }

  /** The pool's Nodes that are Ready and schedulable (a Node being drained is cordoned, so it does not count). */
  readyNodes(): string[] {
    const names = new Set(this.poolClaims().map((c) => c.metadata.name));
    return (this.nodes?.list() ?? [])
      .filter((n) => names.has(this.kubelet.owner.get(n.metadata!.name!)?.claim ?? ''))
      .filter((n) => !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((n) => n.metadata!.name!);
  }

  private observe(): void {
    const claims = this.poolClaims();
    const live = claims.filter((c) => !c.metadata.deletionTimestamp);
    this.maxLive = Math.max(this.maxLive, live.length);
    if (!this.guard) return;
    const ready = this.readyNodes();
    if (ready.length < this.quantity) this.violations.push(`only ${ready.length} Ready node(s) (${ready.join(', ')}) of quantity ${this.quantity}`);
    // A claim of the pool's own (not a replacement, which may be cancelled) goes only after its replacement joined.
    for (const c of claims.filter((x) => x.metadata.deletionTimestamp && !this.seenDeleting.has(x.metadata.name!))) {
      this.seenDeleting.add(c.metadata.name!);
      if (c.metadata.annotations?.[REPLACES_ANNOTATION]) continue;
      const replacement = claims.find((r) => r.metadata.annotations?.[REPLACES_ANNOTATION] === c.metadata.name);
      const joined = replacement?.status?.conditions?.some((x) => x.type === 'Joined' && x.status === 'True');
      if (!joined) this.violations.push(`${c.metadata.name} deleted before a replacement of it joined (replacement: ${replacement?.metadata.name ?? 'none'})`);
    }
  }
}
