/**
 * createNode: claims a host for a NodeClaim and starts provisioning it. Idempotent per claim uid:
 * a host already carrying the claim label is returned (and repaired if pieces are missing). Order:
 * resolve inputs (all validation) → reserve IP → target a host (claimTarget.ts: the claim's ONE data
 * Secret, created naming the host, is the per-claim lock across replicas) → ONE guarded PUT of the
 * host. Uncontended that is 3 writes with an IP pool (IP, Secret, host) and 2 without. A 409 on the
 * host: if another replica claimed a host for this same claim, that host is the answer; otherwise
 * the host is given up when taken and the record moved. One read after each won write: the record
 * must still exist and name the host, or the host is given back (the same claim on another replica
 * moved the record, or a failed attempt's clean-up removed it). When the claim ends up holding no
 * host, its Secret and then its IP are removed, and a host won meanwhile is given back, so failures
 * leak nothing and never free an IP a host still uses. A claim naming a Netris server cluster
 * takes the two-phase path of fabricClaim.ts instead (reserve, move switch ports, then configure).
 */
import { inject, injectable } from 'tsyringe';
import {
  TransientError,
  isInvalidConfiguration,
  type EventRecorder,
  type JoinSpec,
  type Logger,
  type NodeClaimView,
  type NodeState,
} from '../../plugin/contract.js';
import { claimObjectRef } from './claimRef.js';
import type { ProviderSettings } from './config.js';
import { FabricClaim } from './fabricClaim.js';
import { HostCache } from './hostCache.js';
import { ClaimTargeting, type TargetRequest } from './claimTarget.js';
import { isConflict, KubeClient } from './kube.js';
import { ClaimSecrets } from './launch/claimSecrets.js';
import { GiveBack } from './launch/giveBack.js';
import { claimedHost, isFullyClaimed, usesRecord } from './launch/claimMutation.js';
import { IpReservations } from './launch/ipReservations.js';
import { ClaimInputsResolver, type ClaimInputs } from './launch/resolveInputs.js';
import { ANNOTATION, LABEL, SERVER_CLUSTER_PROPERTY } from './names.js';
import { toNodeState } from './nodeState.js';
import { EVENTS, LOGGER } from './tokens.js';
import type { BareMetalHost } from './types.js';

const MAX_CLAIM_ATTEMPTS = 5;

@injectable()
export class ClaimHost {
  private readonly log: Logger;

  constructor(
    private readonly kube: KubeClient,
    private readonly cache: HostCache,
    private readonly inputs: ClaimInputsResolver,
    private readonly ipam: IpReservations,
    private readonly secrets: ClaimSecrets,
    private readonly targeting: ClaimTargeting,
    private readonly fabricClaim: FabricClaim,
    private readonly giveBack: GiveBack,
    @inject(EVENTS) private readonly events: EventRecorder,
    @inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'claim' });
  }

  async createNode(claim: NodeClaimView, join: JoinSpec, settings: ProviderSettings, signal?: AbortSignal): Promise<NodeState> {
    const log = this.log.child({ claim: `${claim.namespace}/${claim.name}`, claimUid: claim.uid });
    const held = this.cache.claimedBy(claim.uid)[0];
    if (held && (await this.isComplete(held, claim))) return toNodeState(held);
    try {
      const inputs = await this.inputs.resolve(claim, join, settings);
      checkAborted(signal);
      // A claim naming a tenant network takes the two-phase path (see fabricClaim.ts).
      if (inputs.properties[SERVER_CLUSTER_PROPERTY]?.trim()) return await this.fabricClaim.claim(claim, inputs, settings, log, signal);
      return await this.claim(claim, inputs, settings, log, signal);
    } catch (err) {
      await this.cleanUpIfUnclaimed(claim, settings, log);
      if (isInvalidConfiguration(err)) {
        this.events.record(claimObjectRef(claim), 'Warning', 'ProvisioningFailed', (err as Error).message);
      }
      throw err;
    }
  }

  /** A held host needs no write when it carries every claim field and the Secrets it references exist. */
  private async isComplete(host: BareMetalHost, claim: NodeClaimView): Promise<boolean> {
    if (host.metadata.annotations?.[ANNOTATION.releasing] !== undefined) return true;
    return isFullyClaimed(host, claim.uid) && (await this.secrets.referencedExist(host));
  }

  private async claim(
    claim: NodeClaimView,
    inputs: ClaimInputs,
    settings: ProviderSettings,
    log: Logger,
    signal?: AbortSignal,
  ): Promise<NodeState> {
    const namespace = settings.hostNamespace;
    const ip = inputs.ipPool ? await this.ipam.allocate(inputs.ipPool, claim, namespace) : undefined;
    const req: TargetRequest = { claim, inputs, settings, ip, lost: new Set() };
    try {
      return await this.claimWith(req, log, signal);
    } finally {
      this.targeting.release(claim.uid);
    }
  }

  private async claimWith(req: TargetRequest, log: Logger, signal?: AbortSignal): Promise<NodeState> {
    const { claim, inputs, settings, ip } = req;
    const namespace = settings.hostNamespace;
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      checkAborted(signal);
      const { host, record } = await this.targeting.target(req);
      req.record = record;
      if (isFullyClaimed(host, claim.uid) && usesRecord(host, record.ref)) return toNodeState(host);
      const name = host.metadata.name;
      this.targeting.inFlight.add(name);
      try {
        const written = await this.kube.replaceHost(claimedHost(host, { claim, tenant: inputs.tenant, image: inputs.image, userData: record.ref, networkData: record.ref, ip }));
        this.cache.upsert(written);
        if (!(await this.mayKeep(req, written, log))) continue;
        log.info({ host: name, ip: ip?.address, attempt }, 'claimed BareMetalHost');
        this.events.record(claimObjectRef(claim), 'Normal', 'HostClaimed', `Claimed BareMetalHost ${namespace}/${name}${ip ? ` with IP ${ip.address}` : ''}`);
        return toNodeState(written);
      } catch (err) {
        if (!isConflict(err)) throw err;
        const won = await this.targeting.afterConflict(req, host);
        if (won && isFullyClaimed(won, claim.uid)) return toNodeState(won);
        log.info({ host: name, attempt }, 'lost the race for BareMetalHost; choosing again');
      } finally {
        this.targeting.inFlight.delete(name);
      }
    }
    throw new TransientError(`claim ${claim.namespace}/${claim.name}: lost ${MAX_CLAIM_ATTEMPTS} races for BareMetalHosts in a row`, { retryAfterMs: 1000 });
  }

  /**
   * The one read after a won write: the claim's record must still exist and name `host`. Otherwise the
   * host is given back: a record gone means a failed attempt elsewhere is cleaning up (its IP may be
   * freed: start over); a record naming another host means that host is the claim's (try again).
   */
  private async mayKeep(req: TargetRequest, host: BareMetalHost, log: Logger): Promise<boolean> {
    const record = await this.secrets.read(req.claim, req.settings.hostNamespace);
    if (record?.host === host.metadata.name) return true;
    log.info({ host: host.metadata.name, record: record?.host ?? null }, 'the claim record no longer names the host just claimed; giving it back');
    await this.giveBack.host(host, req.claim.uid);
    if (!record) throw new TransientError(`claim ${req.claim.namespace}/${req.claim.name}: its data Secret was removed while a host was being claimed; starting over`, { retryAfterMs: 1000 });
    req.record = record;
    return false;
  }

  private async cleanUpIfUnclaimed(claim: NodeClaimView, settings: ProviderSettings, log: Logger): Promise<void> {
    if (this.cache.claimedBy(claim.uid).length > 0) return;
    const namespace = settings.hostNamespace;
    const carrying = () => this.kube.listHostsMatching(namespace, `${LABEL.nodeClaim}=${claim.uid}`);
    try {
      // Another replica may have won a host for this same claim: its IP and Secret are not ours to drop.
      if ((await carrying()).length > 0) return;
      // The record first: a replica that wins a host from now on finds no record and gives the host back.
      await this.secrets.deleteForClaim(claim.uid, namespace);
      // A host won between the read above and that delete cannot keep its data: give it back before the IP goes.
      for (const host of await carrying()) await this.giveBack.host(host, claim.uid);
      await this.ipam.releaseForClaim(claim.uid, namespace);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not clean up after a failed claim; deleteNode will retry');
    }
  }
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new TransientError('createNode aborted by the host');
}
