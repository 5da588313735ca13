/**
 * createNode: claims a host for a NodeClaim and starts provisioning it. Idempotent per claim uid:
 * a host already carrying the claim label is returned (and repaired if pieces are missing). Order:
 * resolve inputs (all validation) → reserve IP → user-data Secret → pick host → network-data Secret
 * (depends on the host's NICs) → ONE guarded PUT of the host. A 409 means another claim won: the host
 * is excluded and the choice repeated. When the claim ends up holding no host, its IP and Secrets
 * are removed again, so failures leak nothing. A claim naming a Netris server cluster takes the
 * two-phase path of fabricClaim.ts instead (reserve, move switch ports, then configure).
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
import { isConflict, KubeClient } from './kube.js';
import { ClaimSecrets } from './launch/claimSecrets.js';
import { claimedHost, isFullyClaimed } from './launch/claimMutation.js';
import { IpReservations } from './launch/ipReservations.js';
import { ClaimInputsResolver, type ClaimInputs } from './launch/resolveInputs.js';
import { writeNetworkData } from './launch/networkData.js';
import { pickHost } from './launch/selectHost.js';
import { ANNOTATION, SERVER_CLUSTER_PROPERTY } from './names.js';
import { toNodeState } from './nodeState.js';
import type { TemplateRenderer } from './render/index.js';
import { EVENTS, LOGGER, RENDERER } from './tokens.js';
import type { BareMetalHost } from './types.js';

const MAX_CLAIM_ATTEMPTS = 5;

@injectable()
export class ClaimHost {
  private readonly log: Logger;
  /** Hosts a claim of this process is writing right now: concurrent claims here skip them instead of racing to a 409. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly kube: KubeClient,
    private readonly cache: HostCache,
    private readonly inputs: ClaimInputsResolver,
    private readonly ipam: IpReservations,
    readonly secrets: ClaimSecrets,
    private readonly fabricClaim: FabricClaim,
    @inject(RENDERER) readonly renderer: TemplateRenderer,
    @inject(EVENTS) private readonly events: EventRecorder,
    @inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'claim' });
  }

  async createNode(claim: NodeClaimView, join: JoinSpec, settings: ProviderSettings, signal?: AbortSignal): Promise<NodeState> {
    const log = this.log.child({ claim: `${claim.namespace}/${claim.name}`, claimUid: claim.uid });
    const held = this.cache.claimedBy(claim.uid)[0];
    if (held && (await this.isComplete(held, claim, settings))) return toNodeState(held);
    try {
      const inputs = await this.inputs.resolve(claim, join, settings);
      checkAborted(signal);
      // A claim naming a tenant network takes the two-phase path (see fabricClaim.ts).
      if (inputs.properties[SERVER_CLUSTER_PROPERTY]?.trim()) return await this.fabricClaim.claim(claim, inputs, settings, held, log, signal);
      return await this.claim(claim, inputs, settings, held, log, signal);
    } catch (err) {
      await this.cleanUpIfUnclaimed(claim, settings, log);
      if (isInvalidConfiguration(err)) {
        this.events.record(claimObjectRef(claim), 'Warning', 'ProvisioningFailed', (err as Error).message);
      }
      throw err;
    }
  }

  /** A held host needs no write when it carries every claim field and its Secrets exist. */
  private async isComplete(host: BareMetalHost, claim: NodeClaimView, settings: ProviderSettings): Promise<boolean> {
    if (host.metadata.annotations?.[ANNOTATION.releasing] !== undefined) return true;
    return isFullyClaimed(host, claim.uid) && (await this.secrets.exist(claim, settings.hostNamespace));
  }

  private async claim(
    claim: NodeClaimView,
    inputs: ClaimInputs,
    settings: ProviderSettings,
    held: BareMetalHost | undefined,
    log: Logger,
    signal?: AbortSignal,
  ): Promise<NodeState> {
    const namespace = settings.hostNamespace;
    const ip = inputs.ipPool ? await this.ipam.allocate(inputs.ipPool, claim, namespace) : undefined;
    const userData = await this.secrets.write(claim, namespace, 'user-data', inputs.userData);
    const lost = new Set<string>();
    for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
      checkAborted(signal);
      const host = held ? (this.cache.get(held.metadata.name) ?? held) : this.pick(claim, inputs, settings, new Set([...lost, ...this.inFlight]));
      this.inFlight.add(host.metadata.name);
      try {
        const networkData = await writeNetworkData(this, claim, inputs, host, ip, namespace);
        const desired = claimedHost(host, { claim, tenant: inputs.tenant, image: inputs.image, userData, networkData, ip });
        const written = await this.kube.replaceHost(desired);
        this.cache.upsert(written);
        log.info({ host: host.metadata.name, ip: ip?.address, attempt }, 'claimed BareMetalHost');
        this.events.record(claimObjectRef(claim), 'Normal', 'HostClaimed', `Claimed BareMetalHost ${namespace}/${host.metadata.name}${ip ? ` with IP ${ip.address}` : ''}`);
        return toNodeState(written);
      } catch (err) {
        if (!isConflict(err)) throw err;
        log.info({ host: host.metadata.name, attempt }, 'lost the race for BareMetalHost; choosing again');
        if (!held) lost.add(host.metadata.name);
        await this.refresh(namespace, host.metadata.name);
      } finally {
        this.inFlight.delete(host.metadata.name);
      }
    }
    throw new TransientError(`claim ${claim.namespace}/${claim.name}: lost ${MAX_CLAIM_ATTEMPTS} races for BareMetalHosts in a row`, { retryAfterMs: 1000 });
  }

  private pick(claim: NodeClaimView, inputs: ClaimInputs, settings: ProviderSettings, exclude: ReadonlySet<string>): BareMetalHost {
    return pickHost(this.cache.all(), {
      nodeType: inputs.nodeType,
      claimUid: claim.uid,
      tenant: inputs.tenant,
      allowUncleanedReuse: settings.metal3.allowUncleanedReuse,
      pinnedHostName: inputs.pinnedHostName,
    }, exclude);
  }

  /** After a 409 the cached copy is stale: fetch the current one so the next choice sees it. */
  private async refresh(namespace: string, name: string): Promise<void> {
    const current = await this.kube.getHost(namespace, name);
    if (current) this.cache.upsert(current);
    else this.cache.remove(name);
  }

  private async cleanUpIfUnclaimed(claim: NodeClaimView, settings: ProviderSettings, log: Logger): Promise<void> {
    if (this.cache.claimedBy(claim.uid).length > 0) return;
    try {
      await this.ipam.releaseForClaim(claim.uid, settings.hostNamespace);
      await this.secrets.deleteForClaim(claim.uid, settings.hostNamespace);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not clean up after a failed claim; deleteNode will retry');
    }
  }
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new TransientError('createNode aborted by the host');
}
