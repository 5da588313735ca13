/**
 * createNode for a claim with `netris.vcluster.com/server-cluster`: the host's switch ports must be
 * in the tenant's network BEFORE it boots anything, so this departs from the single guarded write
 * of the plain path (DESIGN step 6) with two guarded writes around the fabric move. The host is
 * targeted as in the plain path (claimTarget.ts: the claim's one data Secret names it), then:
 *   1. reserve (consumerRef, claim label, still `online: false`, no image) — 409: settle as in the
 *      plain path (this claim's host elsewhere is the answer, a taken host is given up);
 *   2. fabric attach (idempotent) — ports the fabric cannot move: drop the reservation, next host;
 *   3. image, user data, network data (static IP from the tenant subnet), `online: true`.
 * Uncontended: 4 API writes (IP reservation, data Secret, reserve, configure) plus the fabric's.
 * A crash between 1 and 3 leaves a reserved host that the retry finds by claim label (and attaches
 * again) or that deleteNode releases (detach is idempotent).
 */
import { inject, injectable } from 'tsyringe';
import {
  TransientError,
  isInvalidConfiguration,
  type EventRecorder,
  type Logger,
  type NodeClaimView,
  type NodeState,
} from '../../plugin/contract.js';
import { claimDisplayName, claimObjectRef } from './claimRef.js';
import type { ProviderSettings } from './config.js';
import { isFabricError, type TenantNetwork } from './fabric/fabric.js';
import { ClaimTargeting, type TargetRequest } from './claimTarget.js';
import { HostCache } from './hostCache.js';
import { HostNetwork } from './hostNetwork.js';
import { isConflict, KubeClient } from './kube.js';
import { claimedHost } from './launch/claimMutation.js';
import { IpReservations, type IpAllocation } from './launch/ipReservations.js';
import { isReservedFor, reservedHost, withoutClaim } from './launch/reservation.js';
import type { ClaimInputs } from './launch/resolveInputs.js';
import { SERVER_CLUSTER_PROPERTY } from './names.js';
import { toNodeState } from './nodeState.js';
import { tenantIpPool } from './tenantIpPool.js';
import { EVENTS } from './tokens.js';
import type { BareMetalHost } from './types.js';

const MAX_ATTEMPTS = 5;
/** Ports the fabric cannot move for this host: another host may do. */
const HOST_SPECIFIC = new Set(['PortInUse', 'UnknownPort', 'NoSwitchPorts']);

interface Attempt {
  claim: NodeClaimView;
  settings: ProviderSettings;
  network: TenantNetwork;
  log: Logger;
  signal?: AbortSignal;
}

@injectable()
export class FabricClaim {
  constructor(
    private readonly kube: KubeClient,
    private readonly cache: HostCache,
    private readonly ipam: IpReservations,
    private readonly targeting: ClaimTargeting,
    private readonly network: HostNetwork,
    @inject(EVENTS) private readonly events: EventRecorder,
  ) {}

  async claim(claim: NodeClaimView, inputs: ClaimInputs, settings: ProviderSettings, log: Logger, signal?: AbortSignal): Promise<NodeState> {
    const serverCluster = inputs.properties[SERVER_CLUSTER_PROPERTY].trim();
    const network = await this.network.resolveTenantNetwork(serverCluster, inputs.tenant, settings, claimDisplayName(claim));
    const namespace = settings.hostNamespace;
    const ip = await this.ipam.allocate(tenantIpPool(network, inputs), claim, namespace);
    const attempt: Attempt = { claim, settings, network, log, signal };
    const req: TargetRequest = { claim, inputs, settings, ip, lost: new Set() };
    try {
      return await this.claimWith(req, ip, attempt, serverCluster);
    } finally {
      this.targeting.release(claim.uid);
    }
  }

  private async claimWith(req: TargetRequest, ip: IpAllocation, attempt: Attempt, serverCluster: string): Promise<NodeState> {
    const { claim, inputs, settings } = req;
    const { signal, log } = attempt;
    const namespace = settings.hostNamespace;
    const network = attempt.network;
    for (let round = 1; round <= MAX_ATTEMPTS; round++) {
      if (signal?.aborted) throw new TransientError('createNode aborted by the host');
      const { host, record } = await this.targeting.target(req);
      req.record = record;
      const name = host.metadata.name;
      this.targeting.inFlight.add(name);
      try {
        const reserved = isReservedFor(host, claim.uid) ? host : await this.write(reservedHost(host, { claim, tenant: inputs.tenant, serverCluster }));
        if (!(await this.attach(reserved, attempt))) {
          req.lost.add(name);
          continue;
        }
        // BMO may have written the host's status while the ports moved: start from the newest copy seen.
        const latest = this.cache.get(name);
        const base = latest && isReservedFor(latest, claim.uid) ? latest : reserved;
        const written = await this.write(claimedHost(base, { claim, tenant: inputs.tenant, image: inputs.image, userData: record.ref, networkData: record.ref, ip }));
        log.info({ host: name, ip: ip.address, serverCluster, vlanId: network.vlanId }, 'claimed BareMetalHost in its tenant network');
        this.events.record(claimObjectRef(claim), 'Normal', 'HostClaimed',
          `Claimed BareMetalHost ${namespace}/${name} with IP ${ip.address} in network ${serverCluster} (VLAN ${network.vlanId})`);
        return toNodeState(written);
      } catch (err) {
        if (!isConflict(err)) throw err;
        // A host carrying this claim (reserved here or by another replica) is found by the next target().
        if (!(await this.targeting.afterConflict(req, host))) log.info({ host: name, round }, 'lost the race for BareMetalHost; choosing again');
      } finally {
        this.targeting.inFlight.delete(name);
      }
    }
    throw new TransientError(`claim ${claim.namespace}/${claim.name}: no BareMetalHost could be reserved and attached in ${MAX_ATTEMPTS} attempts`, { retryAfterMs: 1000 });
  }

  /** True once the ports are in the tenant network; false when this host's ports cannot be moved (reservation dropped). */
  private async attach(host: BareMetalHost, a: Attempt): Promise<boolean> {
    try {
      await this.network.attach(host, a.network, a.settings, a.signal);
      return true;
    } catch (err) {
      // The reservation stays; the retry attaches again (idempotent) or deleteNode detaches.
      if (a.signal?.aborted) throw new TransientError('createNode aborted by the host while moving switch ports', { cause: err });
      if (isFabricError(err) && HOST_SPECIFIC.has(err.reason) && !host.spec.image) {
        a.log.warn({ host: host.metadata.name, reason: err.reason }, 'cannot attach BareMetalHost to its tenant network; choosing another');
        this.events.record(claimObjectRef(a.claim), 'Warning', 'NetworkAttachFailed', `${err.message}; choosing another host`);
        await this.release(host, a.claim.uid);
        return false;
      }
      if (isInvalidConfiguration(err)) {
        await this.release(host, a.claim.uid);
        throw err;
      }
      if (isFabricError(err)) {
        throw new TransientError(`claim ${a.claim.namespace}/${a.claim.name}: ${err.message}`, { cause: err, retryAfterMs: 5000 });
      }
      throw err;
    }
  }

  /** Drops a reservation that never got an image (guarded; a host no longer ours is left alone). */
  private async release(host: BareMetalHost, claimUid: string): Promise<void> {
    let current: BareMetalHost | undefined = host;
    for (let round = 1; round <= MAX_ATTEMPTS && current && isReservedFor(current, claimUid) && !current.spec.image; round++) {
      try {
        await this.write(withoutClaim(current, { recordTenant: false }));
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        current = await this.refresh(host.metadata.namespace ?? '', host.metadata.name);
      }
    }
  }

  private async write(host: BareMetalHost): Promise<BareMetalHost> {
    const written = await this.kube.replaceHost(host);
    this.cache.upsert(written);
    return written;
  }

  private async refresh(namespace: string, name: string): Promise<BareMetalHost | undefined> {
    const current = await this.kube.getHost(namespace, name);
    if (current) this.cache.upsert(current);
    else this.cache.remove(name);
    return current;
  }
}
