/**
 * deleteNode: releases the host held by a claim. First call: clear image, custom deploy and data
 * references, power off, mark `releasing` (one guarded write) — BMO deprovisions and cleans. Later
 * calls report Releasing until the host is `available` again (or gone); only then are the claim
 * marks dropped, DHCP annotations restored, `last-tenant` set, and the claim's IP reservations and
 * Secrets deleted. Like CAPM3, never drop the claim while the host is still cleaning. A host attached
 * to a tenant network (Netris) also needs its switch ports back in the parking lot first: they are
 * moved once the host is powered off, and Released waits for the fabric to report them there.
 */
import { inject, injectable } from 'tsyringe';
import { TransientError, isInvalidConfiguration, isNotFound, isTransient, type Clock, type EventRecorder, type Logger, type NodeClaimView, type ReleaseState } from '../../plugin/contract.js';
import { MAX_ATTEMPTS, RETRY_AFTER_MS } from './attempts.js';
import { claimObjectRef } from './claimRef.js';
import type { ProviderSettings } from './config.js';
import { isFabricError, PARKING_LOT } from './fabric/fabric.js';
import { HostCache } from './hostCache.js';
import { HostNetwork } from './hostNetwork.js';
import { isConflict, KubeClient } from './kube.js';
import { ClaimSecrets } from './launch/claimSecrets.js';
import { IpReservations } from './launch/ipReservations.js';
import { withoutClaim } from './launch/reservation.js';
import { ANNOTATION } from './names.js';
import { hostError, hostState, machineOf } from './nodeState.js';
import { CLOCK, EVENTS, LOGGER } from './tokens.js';
import type { BareMetalHost } from './types.js';

type Claim = Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>;

@injectable()
export class ReleaseHost {
  private readonly log: Logger;

  constructor(
    private readonly kube: KubeClient,
    private readonly cache: HostCache,
    private readonly ipam: IpReservations,
    private readonly secrets: ClaimSecrets,
    private readonly network: HostNetwork,
    @inject(EVENTS) private readonly events: EventRecorder,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'release' });
  }

  async deleteNode(claim: Claim, settings: ProviderSettings): Promise<ReleaseState> {
    const namespace = settings.hostNamespace;
    const held = this.cache.claimedBy(claim.uid);
    let result: ReleaseState = { phase: 'Released' };
    for (const host of held) {
      const state = await this.releaseOne(claim, host, settings);
      if (state.phase !== 'Released') result = state;
    }
    if (result.phase !== 'Released') return result;
    const ips = await this.ipam.releaseForClaim(claim.uid, namespace);
    const secrets = await this.secrets.deleteForClaim(claim.uid, namespace);
    if (held.length > 0 || ips + secrets > 0) {
      this.log.info({ claim: `${claim.namespace}/${claim.name}`, hosts: held.map((h) => h.metadata.name), ips, secrets }, 'released claim');
    }
    return held.length === 1 ? { phase: 'Released', machine: machineOf(held[0]) } : { phase: 'Released' };
  }

  private async releaseOne(claim: Claim, cached: BareMetalHost, settings: ProviderSettings): Promise<ReleaseState> {
    const hostName = cached.metadata.name;
    const machine = machineOf(cached);
    const stop = async (host: BareMetalHost): Promise<ReleaseState | undefined> => {
      if (!isStopped(host)) {
        await this.write(stopped(host, this.clock.now()));
        this.events.record(claimObjectRef(claim), 'Normal', 'HostReleasing', `Deprovisioning BareMetalHost ${host.metadata.namespace}/${hostName}`);
        return { phase: 'Releasing', machine };
      }
      const state = hostState(host);
      const unparked = host.metadata.annotations?.[ANNOTATION.serverCluster] ? await this.park(host, settings) : undefined;
      if (unparked) return unparked;
      if (state === 'available' || state === 'ready') {
        await this.write(unclaimed(host));
        this.events.record(claimObjectRef(claim), 'Normal', 'HostReleased', `Returned BareMetalHost ${host.metadata.namespace}/${hostName} to the pool`);
        return undefined;
      }
      const error = hostError(host);
      if (error && state === 'deprovisioning') return { phase: 'Failed', machine, reason: error.reason, message: error.message };
      if (host.metadata.deletionTimestamp) return { phase: 'Releasing', machine, message: 'BareMetalHost is being deleted' };
      return { phase: 'Releasing', machine, message: `BareMetalHost is ${state || 'not yet reconciled'}` };
    };
    return (await this.withFreshHost(cached, stop)) ?? { phase: 'Released', machine };
  }

  /**
   * Moves the switch ports of a host that was attached to a tenant network back to the parking lot
   * once it is powered off (on every call: detach is idempotent). Undefined once they are parked;
   * otherwise the Releasing state to report (a fabric failure never reads as Released).
   */
  private async park(host: BareMetalHost, settings: ProviderSettings): Promise<ReleaseState | undefined> {
    const hostName = host.metadata.name;
    const machine = machineOf(host);
    if (host.status?.poweredOn !== false) return { phase: 'Releasing', machine, message: 'waiting for the host to power off before moving its switch ports' };
    let where: string;
    try {
      where = await this.network.detach(host, settings);
    } catch (err) {
      // Ports the fabric cannot find were never moved by it.
      if (isFabricError(err) && (err.reason === 'NoSwitchPorts' || err.reason === 'UnknownPort')) return undefined;
      if (!isTransient(err) && !isFabricError(err) && !isInvalidConfiguration(err)) throw err;
      this.log.warn({ host: hostName, err: (err as Error).message }, 'could not move switch ports back to the parking lot; will retry');
      return { phase: 'Releasing', machine, reason: 'NetworkDetachPending', message: (err as Error).message };
    }
    if (where === PARKING_LOT) return undefined;
    return { phase: 'Releasing', machine, reason: 'NetworkDetachPending', message: `switch ports are in "${where}", not yet the parking lot` };
  }

  /** Runs `step` on the cached host; on a 409 refetches and retries. A vanished host counts as released. */
  private async withFreshHost(host: BareMetalHost, step: (host: BareMetalHost) => Promise<ReleaseState | undefined>): Promise<ReleaseState | undefined> {
    let current: BareMetalHost | undefined = host;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (!current) return undefined;
      try {
        return await step(current);
      } catch (err) {
        if (isNotFound(err)) current = undefined;
        else if (isConflict(err)) current = await this.kube.getHost(host.metadata.namespace ?? '', host.metadata.name);
        else throw err;
        if (current) this.cache.upsert(current);
        else this.cache.remove(host.metadata.name);
      }
    }
    throw new TransientError(`release of BareMetalHost ${host.metadata.name}: too many conflicting writes`, { retryAfterMs: RETRY_AFTER_MS });
  }

  private async write(host: BareMetalHost): Promise<void> {
    this.cache.upsert(await this.kube.replaceHost(host));
  }
}

function isStopped(host: BareMetalHost): boolean {
  const { spec } = host;
  return (
    host.metadata.annotations?.[ANNOTATION.releasing] !== undefined &&
    !spec.image && !spec.customDeploy && !spec.userData && !spec.networkData && !spec.metaData && spec.online === !!spec.disablePowerOff
  );
}

/** Clearing the image makes BMO deprovision (and clean, unless automatedCleaningMode is disabled). */
function stopped(host: BareMetalHost, now: Date): BareMetalHost {
  const next = structuredClone(host);
  for (const field of ['image', 'customDeploy', 'userData', 'networkData', 'metaData'] as const) delete next.spec[field];
  // A host whose power off was disabled while claimed stays on (BMO refuses online: false for it), as CAPM3 does.
  next.spec.online = !!next.spec.disablePowerOff;
  next.metadata.annotations = { [ANNOTATION.releasing]: now.toISOString(), ...next.metadata.annotations };
  return next;
}

function unclaimed(host: BareMetalHost): BareMetalHost {
  return withoutClaim(host, { recordTenant: true });
}
