/**
 * createNode, the one orchestrator: claims a host for a NodeClaim and starts provisioning it.
 * Idempotent per claim uid: a host already carrying the claim label is returned (and repaired if
 * pieces are missing). Steps: resolve inputs (all validation, launch/resolveInputs.ts) → the
 * strategy's preparation (its IP; plainClaim.ts or, for a claim naming a Netris server cluster,
 * fabricClaim.ts) → up to MAX_ATTEMPTS attempts, each: target a host (claimTarget.ts: the claim's
 * ONE data Secret, created naming the host, is the per-claim lock across replicas) and let the
 * strategy write it. A 409 on the host: if another replica claimed a host for this same claim, that
 * host is the answer; otherwise the host is given up when taken and the record moved. Uncontended
 * the plain path is 3 writes with an IP pool (IP, Secret, host) and 2 without. When the claim ends
 * up holding no host, its Secret and then its IP are removed, and a host won meanwhile is given
 * back, so failures leak nothing and never free an IP a host still uses.
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
} from '../../../plugin/contract.js';
import { MAX_ATTEMPTS, RETRY_AFTER_MS } from '../attempts.js';
import { claimObjectRef } from '../claimRef.js';
import { ClaimTargeting, type TargetRequest } from '../claimTarget.js';
import type { ProviderSettings } from '../config.js';
import { HostCache } from '../hostCache.js';
import { isConflict, KubeClient } from '../kube.js';
import { isFullyClaimed } from '../launch/claimMutation.js';
import { ClaimSecrets } from '../launch/claimSecrets.js';
import { GiveBack } from '../launch/giveBack.js';
import { IpReservations } from '../launch/ipReservations.js';
import { ClaimInputsResolver, type ClaimInputs } from '../launch/resolveInputs.js';
import { ANNOTATION, LABEL, SERVER_CLUSTER_PROPERTY } from '../names.js';
import { toNodeState } from '../nodeState.js';
import { EVENTS, LOGGER } from '../tokens.js';
import type { BareMetalHost } from '../types.js';
import { FabricClaim } from './fabricClaim.js';
import { PlainClaim } from './plainClaim.js';
import type { ClaimStrategy } from './strategy.js';

@injectable()
export class CreateNode {
  private readonly log: Logger;

  constructor(
    private readonly kube: KubeClient,
    private readonly cache: HostCache,
    private readonly inputs: ClaimInputsResolver,
    private readonly ipam: IpReservations,
    private readonly secrets: ClaimSecrets,
    private readonly targeting: ClaimTargeting,
    private readonly plain: PlainClaim,
    private readonly fabric: FabricClaim,
    private readonly giveBack: GiveBack,
    @inject(EVENTS) private readonly events: EventRecorder,
    @inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'claim' });
  }

  async createNode(claim: NodeClaimView, join: JoinSpec | undefined, settings: ProviderSettings, signal?: AbortSignal): Promise<NodeState> {
    const log = this.log.child({ claim: `${claim.namespace}/${claim.name}`, claimUid: claim.uid });
    const held = this.cache.claimedBy(claim.uid)[0];
    if (held && (await this.isComplete(held, claim))) return toNodeState(held);
    try {
      const inputs = await this.inputs.resolve(claim, join, settings);
      checkAborted(signal);
      const strategy = inputs.properties[SERVER_CLUSTER_PROPERTY]?.trim() ? this.fabric : this.plain;
      return await this.claimWith(strategy as ClaimStrategy, claim, inputs, settings, log, signal);
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

  /** The attempt loop: target a host, let the strategy claim it; a lost race or an unusable host means the next target. */
  private async claimWith(
    strategy: ClaimStrategy,
    claim: NodeClaimView,
    inputs: ClaimInputs,
    settings: ProviderSettings,
    log: Logger,
    signal?: AbortSignal,
  ): Promise<NodeState> {
    const { plan, ip } = await strategy.prepare(claim, inputs, settings);
    const req: TargetRequest = { claim, inputs, settings, ip, lost: new Set() };
    try {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        checkAborted(signal);
        const target = await this.targeting.target(req);
        req.record = target.record;
        const name = target.host.metadata.name;
        const outcome = await this.targeting.whileWriting(name, async () => {
          try {
            return { state: await strategy.attempt(target, { req, plan, log, signal, attempt }) };
          } catch (err) {
            if (!isConflict(err)) throw err;
            return { won: await this.targeting.afterConflict(req, target.host) };
          }
        });
        if ('won' in outcome) {
          if (outcome.won && strategy.isWon(outcome.won, claim.uid)) return toNodeState(outcome.won);
          log.info({ host: name, attempt }, 'lost the race for BareMetalHost; choosing again');
        } else if (outcome.state === 'give-up') {
          this.targeting.giveUp(req, name);
        } else if (outcome.state !== 'again') {
          return outcome.state;
        }
      }
      throw new TransientError(`claim ${claim.namespace}/${claim.name}: ${strategy.exhausted(MAX_ATTEMPTS)}`, { retryAfterMs: RETRY_AFTER_MS });
    } finally {
      this.targeting.release(claim.uid);
    }
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
