/**
 * Giving back a host this claim won but may not keep (the same claim on two replicas: its record
 * names another host, or a failed attempt's clean-up removed the record). The claim's marks and
 * boot data go, `online: false`; BMO deprovisions it if it had started, and it returns to the pool
 * by itself. Guarded by resourceVersion: on 409 the live host is read and, if it still carries the
 * claim, given back again.
 */
import { injectable } from 'tsyringe';
import { MAX_ATTEMPTS } from '../attempts.js';
import { HostCache } from '../hostCache.js';
import { isConflict, KubeClient } from '../kube.js';
import { LABEL } from '../names.js';
import type { BareMetalHost } from '../types.js';
import { withoutClaim } from './reservation.js';

@injectable()
export class GiveBack {
  constructor(private readonly kube: KubeClient, private readonly cache: HostCache) {}

  async host(host: BareMetalHost, claimUid: string): Promise<void> {
    let current: BareMetalHost | undefined = host;
    for (let attempt = 1; current && current.metadata.labels?.[LABEL.nodeClaim] === claimUid; attempt++) {
      try {
        this.cache.upsert(await this.kube.replaceHost(givenBack(current)));
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= MAX_ATTEMPTS) throw err;
        current = await this.kube.getHost(current.metadata.namespace ?? '', current.metadata.name);
      }
    }
  }
}

export function givenBack(host: BareMetalHost): BareMetalHost {
  const next = withoutClaim(host, { recordTenant: false });
  for (const field of ['image', 'customDeploy', 'userData', 'networkData', 'metaData'] as const) delete next.spec[field];
  next.spec.online = !!next.spec.disablePowerOff;
  return next;
}
