/**
 * What both claim strategies (plain and fabric) write the same way: a BareMetalHost, folded into the
 * site's cache at once so the next claim in this process sees it before the watch event; the claim's IP
 * reservation; and the Events about the claim.
 */
import { inject, injectable } from 'tsyringe';
import type { EventRecorder, NodeClaimView } from '../../../plugin/contract.js';
import { claimObjectRef } from '../claimRef.js';
import { HostCache } from '../hostCache.js';
import { KubeClient } from '../kube.js';
import type { IpPool } from '../ipam/pool.js';
import { IpReservations, type IpAllocation } from '../launch/ipReservations.js';
import { EVENTS } from '../tokens.js';
import type { BareMetalHost } from '../types.js';

@injectable()
export class ClaimWrites {
  constructor(
    private readonly kube: KubeClient,
    private readonly cache: HostCache,
    private readonly ipam: IpReservations,
    @inject(EVENTS) private readonly events: EventRecorder,
  ) {}

  /** One guarded PUT of `host`; the answer is folded into the cache and returned. */
  async host(host: BareMetalHost): Promise<BareMetalHost> {
    const written = await this.kube.replaceHost(host);
    this.cache.upsert(written);
    return written;
  }

  /** The newest copy of the host this process has seen. */
  latest(name: string): BareMetalHost | undefined {
    return this.cache.get(name);
  }

  /** Reads the host live (after a lost write) and folds it in; undefined when it is gone. */
  refresh(namespace: string, name: string): Promise<BareMetalHost | undefined> {
    return this.cache.refresh(namespace, name);
  }

  /** Reserves the claim's IP from `pool` (idempotent per claim). */
  ipFor(pool: IpPool, claim: NodeClaimView, namespace: string): Promise<IpAllocation> {
    return this.ipam.allocate(pool, claim, namespace);
  }

  /** A Normal or Warning Event on the claim. Never pass secrets in `message`. */
  event(claim: NodeClaimView, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.record(claimObjectRef(claim), type, reason, message);
  }
}
