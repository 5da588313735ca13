/**
 * A NodeProvider fake in the style of Karpenter's fake cloud provider: it keeps the contract's
 * semantics (state keyed by claim uid, idempotent create/delete, real typed errors), has one-shot
 * injected errors, call recorders and a configurable number of machines.
 */
import {
  InsufficientCapacityError, InvalidConfigurationError, NotFoundError, type JoinSpec, type NodeClaimView, type NodePhase, type NodeProvider,
  type NodeState, type NodeTypeView, type PowerState, type ProviderConfig, type ReleaseState,
} from '../../../plugin/contract.js';

export interface FakeProviderOptions {
  /** How many machines exist in total (createNode beyond that → InsufficientCapacity). */
  machines?: number;
  /** Phase a machine reports right after createNode. */
  initialPhase?: NodePhase;
  /** deleteNode calls answering Releasing before one answers Released. */
  releaseSteps?: number;
  nodeTypes?: NodeTypeView[];
}

export class FakeProvider implements NodeProvider {
  readonly nodes = new Map<string, NodeState>();
  readonly createCalls: { claim: NodeClaimView; join: JoinSpec | undefined; at: number }[] = [];
  readonly deleteCalls: { claim: NodeClaimView; at: number }[] = [];
  readonly powerCalls: { uid: string; state: PowerState }[] = [];
  readonly rebootCalls: { uid: string }[] = [];
  /** Machines (by claim uid) that refuse to be powered off, as a BareMetalHost with `disablePowerOff` does. */
  readonly powerOffDisabled = new Set<string>();
  getCalls = 0;
  nextCreateError?: Error;
  nextDeleteError?: Error;
  /** Answered by deleteNode (once) instead of progressing, e.g. a cleaning failure. */
  nextReleaseState?: ReleaseState;
  /** Runs before each deleteNode, so a test can inspect the world at that moment. */
  beforeDelete?: (claim: NodeClaimView) => Promise<void>;
  machines: number;
  private readonly releaseCounts = new Map<string, number>();
  private hostSeq = 0;

  constructor(private readonly opts: FakeProviderOptions = {}) {
    this.machines = opts.machines ?? 10;
  }

  async configure(config: ProviderConfig): Promise<void> {
    void config;
  }

  async createNode(claim: NodeClaimView, join: JoinSpec | undefined): Promise<NodeState> {
    this.createCalls.push({ claim, join, at: Date.now() });
    if (this.nextCreateError) {
      const err = this.nextCreateError;
      this.nextCreateError = undefined;
      throw err;
    }
    const existing = this.nodes.get(claim.uid);
    if (existing) return { ...existing };
    if (this.nodes.size >= this.machines) throw new InsufficientCapacityError(`no available host for node type ${claim.nodeType}`);
    const hostName = `host-${++this.hostSeq}`;
    const state: NodeState = {
      claimUid: claim.uid, claimName: claim.name, claimNamespace: claim.namespace, nodeType: claim.nodeType,
      machine: { kind: 'FakeMachine', name: hostName, namespace: 'metal3' }, phase: this.opts.initialPhase ?? 'Provisioning', providerState: 'provisioning', poweredOn: true,
    };
    this.nodes.set(claim.uid, state);
    return { ...state };
  }

  async deleteNode(claim: NodeClaimView): Promise<ReleaseState> {
    await this.beforeDelete?.(claim);
    this.deleteCalls.push({ claim, at: Date.now() });
    if (this.nextDeleteError) {
      const err = this.nextDeleteError;
      this.nextDeleteError = undefined;
      throw err;
    }
    const state = this.nodes.get(claim.uid);
    if (!state) return { phase: 'Released' };
    if (this.nextReleaseState) {
      const r = this.nextReleaseState;
      this.nextReleaseState = undefined;
      return r;
    }
    const count = (this.releaseCounts.get(claim.uid) ?? 0) + 1;
    this.releaseCounts.set(claim.uid, count);
    if (count <= (this.opts.releaseSteps ?? 1)) {
      state.phase = 'Releasing';
      state.providerState = 'deprovisioning';
      return { phase: 'Releasing', machine: state.machine };
    }
    this.nodes.delete(claim.uid);
    this.releaseCounts.delete(claim.uid);
    return { phase: 'Released', machine: state.machine };
  }

  async getNode(claim: Pick<NodeClaimView, 'uid'>): Promise<NodeState | undefined> {
    this.getCalls++;
    const s = this.nodes.get(claim.uid);
    return s ? { ...s } : undefined;
  }

  async listNodes(): Promise<NodeState[]> {
    return [...this.nodes.values()].map((s) => ({ ...s }));
  }

  async nodeTypes(): Promise<NodeTypeView[]> {
    return this.opts.nodeTypes ?? [];
  }

  /** Powers the claim's machine on or off at once (a real machine follows later: see setPoweredOn). */
  async setPower(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>, state: PowerState): Promise<void> {
    const s = this.held(claim);
    this.powerCalls.push({ uid: claim.uid, state });
    if (state === 'Off' && this.powerOffDisabled.has(claim.uid)) {
      throw new InvalidConfigurationError(`NodeClaim ${claim.namespace}/${claim.name}`, 'spec.power.state',
        `machine ${s.machine.name} has power-off disabled: it can be rebooted, not powered off`);
    }
    s.poweredOn = state === 'On';
  }

  async reboot(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>): Promise<void> {
    this.held(claim);
    this.rebootCalls.push({ uid: claim.uid });
  }

  private held(claim: Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>): NodeState {
    const s = this.nodes.get(claim.uid);
    if (!s) throw new NotFoundError(`NodeClaim ${claim.namespace}/${claim.name} holds no machine`);
    return s;
  }

  /** Moves a machine along (e.g. to Provisioned, or Failed with BMO's errorType/errorMessage). */
  setPhase(uid: string, phase: NodePhase, extra: Partial<NodeState> = {}): void {
    const s = this.nodes.get(uid);
    if (!s) throw new Error(`fake provider holds no machine for claim ${uid}`);
    Object.assign(s, { phase, providerState: phase === 'Provisioned' ? 'provisioned' : s.providerState }, extra);
  }

  /** Adds a machine the provider holds for a claim that may not exist (for orphan tests). */
  adopt(state: NodeState): void {
    this.nodes.set(state.claimUid, { ...state });
  }
}
