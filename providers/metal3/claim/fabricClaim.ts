/**
 * The claim for `netris.vcluster.com/server-cluster`: the host's switch ports must be in the
 * tenant's network BEFORE it boots anything, so this departs from the single guarded write of the
 * plain path (DESIGN step 6) with two guarded writes around the fabric move:
 *   1. reserve (consumerRef, claim label, still `online: false`, no image) — a 409 is settled by the
 *      orchestrator (this claim's host elsewhere is the answer, a taken host is given up);
 *   2. fabric attach (idempotent) — ports the fabric cannot move: drop the reservation, next host;
 *   3. image, user data, network data (static IP from the tenant subnet), `online: true`.
 * Uncontended: 4 API writes (IP reservation, data Secret, reserve, configure) plus the fabric's.
 * A crash between 1 and 3 leaves a reserved host that the retry finds by claim label (and attaches
 * again) or that deleteNode releases (detach is idempotent).
 */
import { injectable } from 'tsyringe';
import { TransientError, isInvalidConfiguration, type NodeClaimView } from '../../../plugin/contract.js';
import { MAX_ATTEMPTS } from '../attempts.js';
import { claimDisplayName } from '../claimRef.js';
import type { Target } from '../claimTarget.js';
import type { ProviderSettings } from '../config.js';
import { isFabricError, type TenantNetwork } from '../fabric/fabric.js';
import { HostNetwork } from '../hostNetwork.js';
import { isConflict } from '../kube.js';
import { claimedHost } from '../launch/claimMutation.js';
import type { IpAllocation } from '../launch/ipReservations.js';
import { isReservedFor, reservedHost, withoutClaim } from '../launch/reservation.js';
import type { ClaimInputs } from '../launch/resolveInputs.js';
import { SERVER_CLUSTER_PROPERTY } from '../names.js';
import { toNodeState } from '../nodeState.js';
import { tenantIpPool } from '../tenantIpPool.js';
import type { BareMetalHost } from '../types.js';
import { ClaimWrites } from './claimWrites.js';
import type { AttemptOutcome, ClaimRun, ClaimStrategy } from './strategy.js';

/** Ports the fabric cannot move for this host: another host may do. */
const HOST_SPECIFIC = new Set(['PortInUse', 'UnknownPort', 'NoSwitchPorts']);

export interface FabricPlan {
  serverCluster: string;
  network: TenantNetwork;
  ip: IpAllocation;
  settings: ProviderSettings;
}

@injectable()
export class FabricClaim implements ClaimStrategy<FabricPlan> {
  constructor(private readonly writes: ClaimWrites, private readonly network: HostNetwork) {}

  async prepare(claim: NodeClaimView, inputs: ClaimInputs, settings: ProviderSettings) {
    const serverCluster = inputs.properties[SERVER_CLUSTER_PROPERTY].trim();
    const network = await this.network.resolveTenantNetwork(serverCluster, inputs.tenant, settings, claimDisplayName(claim));
    const ip = await this.writes.ipFor(tenantIpPool(network, inputs), claim, settings.hostNamespace);
    return { plan: { serverCluster, network, ip, settings }, ip };
  }

  async attempt({ host, record }: Target, run: ClaimRun<FabricPlan>): Promise<AttemptOutcome> {
    const { claim, inputs } = run.req;
    const { serverCluster, network, ip, settings } = run.plan;
    const name = host.metadata.name;
    const reserved = isReservedFor(host, claim.uid) ? host : await this.writes.host(reservedHost(host, { claim, tenant: inputs.tenant, serverCluster, vlanId: network.vlanId }));
    if (!(await this.attach(reserved, run))) return 'give-up';
    // BMO may have written the host's status while the ports moved: start from the newest copy seen.
    const latest = this.writes.latest(name);
    const base = latest && isReservedFor(latest, claim.uid) ? latest : reserved;
    const written = await this.writes.host(claimedHost(base, { claim, tenant: inputs.tenant, image: inputs.image, userData: record.ref, networkData: record.ref, ip }));
    run.log.info({ host: name, ip: ip.address, serverCluster, vlanId: network.vlanId }, 'claimed BareMetalHost in its tenant network');
    this.writes.event(claim, 'Normal', 'HostClaimed',
      `Claimed BareMetalHost ${settings.hostNamespace}/${name} with IP ${ip.address} in network ${serverCluster} (VLAN ${network.vlanId})`);
    return toNodeState(written);
  }

  /** A host reserved elsewhere is found by the next target(): attach and configure it there. */
  isWon(): boolean {
    return false;
  }

  exhausted(attempts: number): string {
    return `no BareMetalHost could be reserved and attached in ${attempts} attempts`;
  }

  /** True once the ports are in the tenant network; false when this host's ports cannot be moved (reservation dropped). */
  private async attach(host: BareMetalHost, run: ClaimRun<FabricPlan>): Promise<boolean> {
    const { claim } = run.req;
    try {
      await this.network.attach(host, run.plan.network, run.plan.settings, run.signal);
      return true;
    } catch (err) {
      // The reservation stays; the retry attaches again (idempotent) or deleteNode detaches.
      if (run.signal?.aborted) throw new TransientError('createNode aborted by the host while moving switch ports', { cause: err });
      if (isFabricError(err) && HOST_SPECIFIC.has(err.reason) && !host.spec.image) {
        run.log.warn({ host: host.metadata.name, reason: err.reason }, 'cannot attach BareMetalHost to its tenant network; choosing another');
        this.writes.event(claim, 'Warning', 'NetworkAttachFailed', `${err.message}; choosing another host`);
        await this.dropReservation(host, claim.uid);
        return false;
      }
      if (isInvalidConfiguration(err)) {
        await this.dropReservation(host, claim.uid);
        throw err;
      }
      if (isFabricError(err)) {
        throw new TransientError(`claim ${claim.namespace}/${claim.name}: ${err.message}`, { cause: err, retryAfterMs: 5000 });
      }
      throw err;
    }
  }

  /** Drops a reservation that never got an image (guarded; a host no longer ours is left alone). */
  private async dropReservation(host: BareMetalHost, claimUid: string): Promise<void> {
    let current: BareMetalHost | undefined = host;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS && current && isReservedFor(current, claimUid) && !current.spec.image; attempt++) {
      try {
        await this.writes.host(withoutClaim(current, { recordTenant: false }));
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        current = await this.writes.refresh(host.metadata.namespace ?? '', host.metadata.name);
      }
    }
  }

}
