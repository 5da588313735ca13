/**
 * Which ONE host a claim targets, agreed across replicas through the claim's data Secret (the
 * record, launch/claimSecrets.ts). The first replica creates it naming its choice (that create is
 * the per-claim lock, and the Secret it needs anyway: no extra write). A replica that finds it
 * targets the host it names while that host is ours or free and eligible; only when the named host
 * is confirmed (read live) as taken by another claim or unusable is the record moved, by a
 * resourceVersion-guarded update (409: re-read and decide again). So at any time a claim's writers
 * aim at the same host, and a lost BMH race is settled by re-reading which host carries the claim.
 */
import { inject, injectable } from 'tsyringe';
import { isInsufficientCapacity, isNotFound, TransientError, type NodeClaimView } from '../../plugin/contract.js';
import { BUSY_HOSTS_RETRY_AFTER_MS, MAX_ATTEMPTS, RETRY_AFTER_MS } from './attempts.js';
import type { ProviderSettings } from './config.js';
import { HostCache } from './hostCache.js';
import type { NameFilter } from './hosts/chooseHost.js';
import { pickFree } from './hosts/pickFree.js';
import { isConflict, KubeClient } from './kube.js';
import { ClaimSecrets, type ClaimRecord } from './launch/claimSecrets.js';
import type { IpAllocation } from './launch/ipReservations.js';
import { claimDataFor } from './launch/networkData.js';
import type { ClaimInputs } from './launch/resolveInputs.js';
import { pickHost, selectHost } from './launch/selectHost.js';
import { LABEL } from './names.js';
import type { TemplateRenderer } from './render/index.js';
import { RENDERER } from './tokens.js';
import type { BareMetalHost } from './types.js';

/** One createNode call's view of its claim; `lost` and `record` carry over between its attempts. */
export interface TargetRequest {
  claim: NodeClaimView;
  inputs: ClaimInputs;
  settings: ProviderSettings;
  ip?: IpAllocation;
  /** Hosts confirmed taken by another claim (or unusable for this one): never targeted again by this call (ClaimTargeting adds to it). */
  lost: Set<string>;
  /** The record as this call last saw it. */
  record?: ClaimRecord;
}

export interface Target {
  host: BareMetalHost;
  /** Names `host` and holds the data rendered for it. */
  record: ClaimRecord;
}

/** One per activation's createNode: its claims skip each other's hosts in flight. */
@injectable()
export class ClaimTargeting {
  /** Hosts a claim of this process is writing right now: other claims here skip them instead of racing to a 409. */
  private readonly inFlight = new Set<string>();
  /** The host each claim of this claimer picked last and has not finished with (held in inFlight until release). */
  private readonly picked = new Map<string, string>();

  constructor(
    private readonly kube: KubeClient,
    private readonly cache: HostCache,
    private readonly secrets: ClaimSecrets,
    @inject(RENDERER) private readonly renderer: TemplateRenderer,
  ) {}

  /** The host this claim must write, with the record naming it (created or moved as needed). */
  async target(req: TargetRequest): Promise<Target> {
    const mine = this.cache.claimedBy(req.claim.uid)[0];
    let record = req.record;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      try {
        if (!record) {
          const host = mine ?? this.pick(req);
          const outcome = await this.secrets.create(req.claim, req.settings.hostNamespace, host.metadata.name, this.dataFor(req, host));
          if (outcome.created) return { host, record: outcome.record };
          record = outcome.record;
        }
        const host = mine ?? (await this.usableNamedHost(req, record)) ?? this.pick(req);
        const moved = await this.secrets.retarget(req.claim, record, host.metadata.name, this.dataFor(req, host));
        return (await this.backToWinner(req, record, moved)) ?? { host, record: moved };
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
        record = await this.secrets.read(req.claim, req.settings.hostNamespace);
      }
    }
    throw new TransientError(`claim ${req.claim.namespace}/${req.claim.name}: its data Secret changed under ${MAX_ATTEMPTS} updates in a row`, { retryAfterMs: RETRY_AFTER_MS });
  }

  /** Runs `write` with `host` marked in flight, so that other claims of this process skip it meanwhile. */
  async whileWriting<T>(host: string, write: () => Promise<T>): Promise<T> {
    this.inFlight.add(host);
    try {
      return await write();
    } finally {
      this.inFlight.delete(host);
    }
  }

  /** This call gives `host` up (its ports cannot be moved, or it no longer fits): never targeted again by it. */
  giveUp(req: TargetRequest, host: string): void {
    req.lost.add(host);
  }

  /**
   * After moving the record off a host, one read of that host: if another replica claimed it for this
   * claim meanwhile (it was released and free again), the record goes back to it and it is the target.
   */
  private async backToWinner(req: TargetRequest, before: ClaimRecord, moved: ClaimRecord): Promise<Target | undefined> {
    const left = before.host;
    if (!left || left === moved.host) return undefined;
    const live = await this.cache.refresh(req.settings.hostNamespace, left);
    if (!live || !this.carriesClaim(req, live)) return undefined;
    req.lost.delete(left);
    return { host: live, record: await this.secrets.retarget(req.claim, moved, left, this.dataFor(req, live)) };
  }

  /**
   * After a 409 on a host write: the live host carrying this claim (another replica won with the
   * same claim), else undefined — and the host is marked lost when it is no longer usable.
   */
  async afterConflict(req: TargetRequest, host: BareMetalHost): Promise<BareMetalHost | undefined> {
    const namespace = req.settings.hostNamespace;
    const carrying = await this.kube.listHostsMatching(namespace, `${LABEL.nodeClaim}=${req.claim.uid}`);
    for (const found of carrying) this.cache.upsert(found);
    if (carrying.length > 0) return carrying[0];
    const now = await this.cache.refresh(namespace, host.metadata.name);
    if (!now || !this.fits(req, now)) req.lost.add(host.metadata.name);
    return undefined;
  }

  /** The host the record names when the claim may still use it (ours, or free and eligible); confirmed live before giving it up. */
  private async usableNamedHost(req: TargetRequest, record: ClaimRecord): Promise<BareMetalHost | undefined> {
    const name = record.host;
    if (!name || req.lost.has(name)) return undefined;
    const cached = this.cache.get(name);
    if (cached && (this.carriesClaim(req, cached) || this.fits(req, cached))) return cached;
    // A stale cache must not move the lock away from a host another replica is claiming right now.
    const live = await this.cache.refresh(req.settings.hostNamespace, name);
    if (live && (this.carriesClaim(req, live) || this.fits(req, live))) return live;
    req.lost.add(name);
    return undefined;
  }

  private carriesClaim(req: TargetRequest, host: BareMetalHost): boolean {
    return host.metadata.labels?.[LABEL.nodeClaim] === req.claim.uid;
  }

  private fits(req: TargetRequest, host: BareMetalHost): boolean {
    return selectHost([host], { ...this.selection(req), exclude: req.lost }).host !== undefined;
  }

  /** Ends a claim's hold on the host it picked (call when the claim's attempt is over, won or lost). */
  release(claimUid: string): void {
    const name = this.picked.get(claimUid);
    if (name === undefined) return;
    this.picked.delete(claimUid);
    for (const held of this.picked.values()) if (held === name) return;
    this.inFlight.delete(name);
  }

  /**
   * A new eligible host (InsufficientCapacity explains why there is none), held in inFlight until
   * release() so that other claims of this process skip it. The free index is tried first; the
   * full scan runs only for a pinned host or to explain why nothing fits.
   */
  private pick(req: TargetRequest): BareMetalHost {
    // This call's lost hosts and this process's hosts in flight, without a merged copy per pick.
    const exclude: NameFilter = { has: (name) => req.lost.has(name) || this.inFlight.has(name) };
    const chosen = req.inputs.pinnedHostName ? undefined : this.pickFree(req, exclude);
    const host = chosen ?? this.pickOrWait(req, exclude);
    this.release(req.claim.uid);
    this.picked.set(req.claim.uid, host.metadata.name);
    this.inFlight.add(host.metadata.name);
    return host;
  }

  /**
   * The full scan. When nothing fits only because other claims of this process are writing the hosts that
   * do, the answer is to wait for those writes (TransientError), not InsufficientCapacity: a write may
   * lose and leave its host free while this claim would already be Pending with capacity backoff.
   */
  private pickOrWait(req: TargetRequest, exclude: NameFilter): BareMetalHost {
    try {
      return pickHost(this.candidatesFor(req), this.selection(req), exclude);
    } catch (err) {
      if (!isInsufficientCapacity(err) || this.inFlight.size === 0) throw err;
      if (!selectHost(this.candidatesFor(req), { ...this.selection(req), exclude: req.lost }).host) throw err;
      throw new TransientError(`claim ${req.claim.namespace}/${req.claim.name}: every fitting host is being claimed by another claim of this replica; trying again`,
        { retryAfterMs: BUSY_HOSTS_RETRY_AFTER_MS });
    }
  }

  private pickFree(req: TargetRequest, exclude: NameFilter): BareMetalHost | undefined {
    return pickFree(this.cache.freeFor(req.inputs.nodeType), {
      claimUid: req.claim.uid,
      claimTenant: req.inputs.tenant,
      allowUncleanedReuse: req.settings.metal3.allowUncleanedReuse,
      exclude,
    });
  }

  private candidatesFor(req: TargetRequest): Iterable<BareMetalHost> {
    const pinned = req.inputs.pinnedHostName;
    if (!pinned) return this.cache.all();
    const host = this.cache.get(pinned);
    return host ? [host] : [];
  }

  private selection(req: TargetRequest) {
    return {
      nodeType: req.inputs.nodeType,
      claimUid: req.claim.uid,
      tenant: req.inputs.tenant,
      allowUncleanedReuse: req.settings.metal3.allowUncleanedReuse,
      pinnedHostName: req.inputs.pinnedHostName,
    };
  }

  private dataFor(req: TargetRequest, host: BareMetalHost) {
    return claimDataFor(this.renderer, req.inputs, host, req.ip);
  }
}
