/**
 * Orphan collection: machines a provider still holds for NodeClaims that no longer exist (a claim
 * force-deleted without its finalizer, or a crash between writes) are released with deleteNode until
 * Released. A claim that exists is never touched, even if its uid looks unfamiliar.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { NodeClaimView, NodeState } from '../../plugin/contract.js';
import type { PlatformDeps } from '../deps.js';
import { GROUP, NODECLAIMS, VERSION, type NodeClaim } from '../nodeClaims/types.js';
import { describeMachine } from '../nodeClaims/machineText.js';

export const DEFAULT_ORPHAN_INTERVAL_MS = 60_000;

export class OrphanCollector {
  private readonly custom: CustomObjectsApi;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<void>;
  private readonly abort = new AbortController();

  constructor(private readonly deps: PlatformDeps, private readonly intervalMs = DEFAULT_ORPHAN_INTERVAL_MS) {
    this.custom = deps.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  start(): void {
    this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
  }

  /** One pass over every registered provider; returns the uids released or still releasing. */
  async collectOnce(): Promise<string[]> {
    // Machines first, claims second: a claim created (and launched) in between is then seen as existing.
    const held: { providerName: string; state: NodeState }[] = [];
    for (const providerName of this.deps.providers.names()) {
      const provider = this.deps.providers.get(providerName);
      if (!provider) continue;
      for (const state of await provider.listNodes()) held.push({ providerName, state });
    }
    if (held.length === 0) return [];
    const claimed = new Set((await this.listClaims()).map((c) => c.metadata.uid));
    const handled: string[] = [];
    for (const { providerName, state } of held) {
      if (claimed.has(state.claimUid) || this.stopped) continue;
      handled.push(state.claimUid);
      await this.release(providerName, state);
    }
    return handled;
  }

  private async release(providerName: string, state: NodeState): Promise<void> {
    const provider = this.deps.providers.get(providerName)!;
    const view: NodeClaimView = { uid: state.claimUid, name: state.claimName, namespace: state.claimNamespace, nodeType: state.nodeType };
    const ref = { apiVersion: `${GROUP}/${VERSION}`, kind: 'NodeClaim', name: state.claimName, namespace: state.claimNamespace, uid: state.claimUid };
    try {
      const result = await provider.deleteNode(view, this.abort.signal);
      this.deps.metrics.countProviderCall(providerName, 'deleteNode', result.phase === 'Failed' ? 'error' : 'ok');
      this.deps.logger.info({ claim: `${state.claimNamespace}/${state.claimName}`, uid: state.claimUid, machine: describeMachine(state.machine), phase: result.phase },
        'releasing machine of a NodeClaim that no longer exists');
      this.deps.events.record(ref, result.phase === 'Failed' ? 'Warning' : 'Normal', 'OrphanReleased',
        `${describeMachine(state.machine)} was held for deleted NodeClaim ${state.claimNamespace}/${state.claimName}: ${result.phase}`);
    } catch (err) {
      this.deps.metrics.countProviderCall(providerName, 'deleteNode', (err as { code?: string }).code ?? 'error');
      this.deps.logger.warn({ uid: state.claimUid, err: (err as Error).message }, 'orphan release failed; will retry');
    }
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = this.collectOnce()
      .then(() => undefined)
      .catch((err) => this.deps.logger.warn({ err: (err as Error).message }, 'orphan collection failed'))
      .finally(() => {
        if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.intervalMs);
      });
  }

  private async listClaims(): Promise<NodeClaim[]> {
    const list = (await this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: NODECLAIMS })) as { items: NodeClaim[] };
    return list.items;
  }
}
