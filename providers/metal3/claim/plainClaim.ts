/**
 * The plain claim (DESIGN step 6): ONE guarded PUT of the targeted host carrying consumerRef, claim
 * label, image, user and network data and `online: true`. A 409 is the orchestrator's to settle.
 * One read after each won write (metadata only): the record must still exist and name the host, or the host is
 * given back (the same claim on another replica moved the record, or a failed attempt's clean-up
 * removed it).
 */
import { injectable } from 'tsyringe';
import { TransientError, type Logger, type NodeClaimView } from '../../../plugin/contract.js';
import { RETRY_AFTER_MS } from '../attempts.js';
import type { Target, TargetRequest } from '../claimTarget.js';
import type { ProviderSettings } from '../config.js';
import { claimedHost, isFullyClaimed, usesRecord } from '../launch/claimMutation.js';
import { ClaimSecrets } from '../launch/claimSecrets.js';
import { GiveBack } from '../launch/giveBack.js';
import type { ClaimInputs } from '../launch/resolveInputs.js';
import { toNodeState } from '../nodeState.js';
import type { BareMetalHost } from '../types.js';
import { ClaimWrites } from './claimWrites.js';
import type { AttemptOutcome, ClaimRun, ClaimStrategy } from './strategy.js';

@injectable()
export class PlainClaim implements ClaimStrategy<undefined> {
  constructor(private readonly writes: ClaimWrites, private readonly secrets: ClaimSecrets, private readonly giveBack: GiveBack) {}

  async prepare(claim: NodeClaimView, inputs: ClaimInputs, settings: ProviderSettings) {
    const ip = inputs.ipPool ? await this.writes.ipFor(inputs.ipPool, claim, settings.hostNamespace) : undefined;
    return { plan: undefined, ip };
  }

  async attempt({ host, record }: Target, { req, log, attempt }: ClaimRun<undefined>): Promise<AttemptOutcome> {
    const { claim, inputs, ip } = req;
    if (isFullyClaimed(host, claim.uid) && usesRecord(host, record.ref)) return toNodeState(host);
    const name = host.metadata.name;
    const written = await this.writes.host(claimedHost(host, { claim, tenant: inputs.tenant, image: inputs.image, userData: record.ref, networkData: record.ref, ip }));
    if (!(await this.mayKeep(req, written, log))) return 'again';
    log.info({ host: name, ip: ip?.address, attempt }, 'claimed BareMetalHost');
    this.writes.event(claim, 'Normal', 'HostClaimed', `Claimed BareMetalHost ${req.settings.hostNamespace}/${name}${ip ? ` with IP ${ip.address}` : ''}`);
    return toNodeState(written);
  }

  /**
   * The one read after a won write: the claim's record must still exist and name `host`. Otherwise the
   * host is given back: a record gone means a failed attempt elsewhere is cleaning up (its IP may be
   * freed: start over); a record naming another host means that host is the claim's (try again).
   */
  private async mayKeep(req: TargetRequest, host: BareMetalHost, log: Logger): Promise<boolean> {
    const target = await this.secrets.target(req.claim, req.settings.hostNamespace);
    if (target?.host === host.metadata.name) return true;
    log.info({ host: host.metadata.name, record: target?.host ?? null }, 'the claim record no longer names the host just claimed; giving it back');
    await this.giveBack.host(host, req.claim.uid);
    // The next attempt starts from the whole record (its data too), read only on this rare path.
    const record = target && (await this.secrets.read(req.claim, req.settings.hostNamespace));
    if (!record) throw new TransientError(`claim ${req.claim.namespace}/${req.claim.name}: its data Secret was removed while a host was being claimed; starting over`, { retryAfterMs: RETRY_AFTER_MS });
    req.record = record;
    return false;
  }

  isWon(host: BareMetalHost, claimUid: string): boolean {
    return isFullyClaimed(host, claimUid);
  }

  exhausted(attempts: number): string {
    return `lost ${attempts} races for BareMetalHosts in a row`;
  }
}
