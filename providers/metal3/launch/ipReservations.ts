/**
 * IP allocation without double allocation: one ConfigMap per address, created atomically. A create
 * answered 409 AlreadyExists means the address is taken; the claim tries the next candidate. The
 * reservations live in the hosts namespace, so they survive restarts and are found by label.
 */
import { inject, injectable } from 'tsyringe';
import { InsufficientCapacityError, type Logger, type NodeClaimView } from '../../../plugin/contract.js';
import { candidateAddresses, type IpPool } from '../ipam/pool.js';
import { isAlreadyExists, KubeClient } from '../kube.js';
import { claimLabels, claimSelector, FIELD_MANAGER, LABEL } from '../names.js';
import { PROPERTY } from '../properties.js';
import { LOGGER } from '../tokens.js';

const POOL_LABEL = 'metal3.vcluster.com/ip-pool';

export interface IpAllocation {
  address: string;
  pool: IpPool;
}

@injectable()
export class IpReservations {
  private readonly log: Logger;

  constructor(
    private readonly kube: KubeClient,
    @inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'ipam' });
  }

  /** Reuses this claim's reservation in `pool`, or reserves a free address; InsufficientCapacity when the pool is full. */
  async allocate(pool: IpPool, claim: Pick<NodeClaimView, 'uid' | 'name'>, namespace: string): Promise<IpAllocation> {
    const poolLabel = labelSafe(pool.key);
    const inPool = await this.kube.listConfigMaps(namespace, `${LABEL.managedBy}=${FIELD_MANAGER},${POOL_LABEL}=${poolLabel}`);
    const mine = inPool.find((cm) => cm.metadata?.labels?.[LABEL.nodeClaim] === claim.uid && cm.data?.ip);
    if (mine?.data?.ip) return { address: mine.data.ip, pool };
    const taken = new Set(inPool.map((cm) => cm.data?.ip).filter(Boolean));
    for (const address of candidateAddresses(pool, claim.uid)) {
      if (taken.has(address)) continue;
      try {
        await this.kube.createConfigMap(namespace, {
          metadata: {
            name: reservationName(pool, address),
            namespace,
            labels: { ...claimLabels(claim), [POOL_LABEL]: poolLabel },
          },
          data: { ip: address, claim: claim.uid, pool: pool.key },
        });
        this.log.info({ claim: claim.name, ip: address, pool: pool.key }, 'reserved IP address');
        return { address, pool };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const existing = await this.kube.getConfigMap(namespace, reservationName(pool, address));
        if (existing?.metadata?.labels?.[LABEL.nodeClaim] === claim.uid) return { address, pool };
      }
    }
    throw new InsufficientCapacityError(
      `IP pool ${pool.key} is exhausted (${pool.size} addresses, all reserved); see ${PROPERTY.networkCidr} / ${PROPERTY.networkIpRange}`,
    );
  }

  /** Deletes every reservation held by the claim; returns how many. */
  async releaseForClaim(claimUid: string, namespace: string): Promise<number> {
    const held = await this.kube.listConfigMaps(namespace, claimSelector(claimUid));
    await Promise.all(held.map((cm) => this.kube.deleteConfigMap(namespace, cm.metadata?.name ?? '')));
    return held.length;
  }
}

/** `m3p-ip-<pool key>-<address with dashes>`, a valid object name. */
export function reservationName(pool: IpPool, address: string): string {
  return `m3p-ip-${labelSafe(pool.key)}-${address.replace(/[.:]/g, '-')}`.toLowerCase();
}

function labelSafe(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 63);
}
