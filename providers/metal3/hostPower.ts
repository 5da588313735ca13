/**
 * Power for a claimed BareMetalHost: `spec.online` follows the claim's power state, and a reboot is
 * BMO's `reboot.metal3.io/<key>` annotation (BMO powers the host off, removes the annotation and
 * powers it on again while `online` is true). Each is one write guarded by `resourceVersion`.
 */
import { inject, injectable } from 'tsyringe';
import {
  InvalidConfigurationError, NotFoundError, TransientError, type NodeClaimView, type PowerState,
} from '../../plugin/contract.js';
import { HostCache } from './hostCache.js';
import { isConflict, KubeClient } from './kube.js';
import { FIELD_MANAGER } from './names.js';
import { LOGGER } from './tokens.js';
import type { Logger } from '../../plugin/contract.js';
import type { BareMetalHost } from './types.js';

/** The suffixed form, so an operator's own reboot requests are not ours to clear. */
export const REBOOT_ANNOTATION = `reboot.metal3.io/${FIELD_MANAGER}`;
const RETRY_AFTER_MS = 1000;

type ClaimRef = Pick<NodeClaimView, 'uid' | 'name' | 'namespace'>;

@injectable()
export class HostPower {
  private readonly log: Logger;

  constructor(private readonly cache: HostCache, private readonly kube: KubeClient, @inject(LOGGER) logger: Logger) {
    this.log = logger.child({ component: 'power' });
  }

  async setPower(claim: ClaimRef, state: PowerState): Promise<void> {
    const host = this.heldBy(claim);
    const online = state === 'On';
    if (host.spec.online === online) return;
    if (!online && host.spec.disablePowerOff) {
      throw new InvalidConfigurationError(`NodeClaim ${claim.namespace}/${claim.name}`, 'spec.power.state',
        `BareMetalHost ${host.metadata.name} has disablePowerOff set: it can be rebooted, not powered off`);
    }
    const next = structuredClone(host);
    next.spec.online = online;
    await this.write(next, `power ${state}`);
    this.log.info({ claim: `${claim.namespace}/${claim.name}`, host: host.metadata.name, online }, 'host power changed');
  }

  async reboot(claim: ClaimRef): Promise<void> {
    const host = this.heldBy(claim);
    if (host.metadata.annotations?.[REBOOT_ANNOTATION] !== undefined) return;
    const next = structuredClone(host);
    next.metadata.annotations = { ...next.metadata.annotations, [REBOOT_ANNOTATION]: JSON.stringify({ mode: 'hard' }) };
    await this.write(next, 'reboot');
    this.log.info({ claim: `${claim.namespace}/${claim.name}`, host: host.metadata.name }, 'host reboot requested');
  }

  private heldBy(claim: ClaimRef): BareMetalHost {
    const host = this.cache.claimedBy(claim.uid)[0];
    if (!host) throw new NotFoundError(`NodeClaim ${claim.namespace}/${claim.name} holds no BareMetalHost`);
    return host;
  }

  private async write(host: BareMetalHost, what: string): Promise<void> {
    try {
      this.cache.upsert(await this.kube.replaceHost(host));
    } catch (err) {
      if (!isConflict(err)) throw err;
      throw new TransientError(`${what} of BareMetalHost ${host.metadata.name}: it changed meanwhile; retry`, { retryAfterMs: RETRY_AFTER_MS, cause: err });
    }
  }
}
