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
/** Creates tried before listing the pool: in a sparse pool the first free address is almost always among them. */
const CREATE_FIRST_PROBES = 4;

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

  /**
   * Reuses this claim's reservation in `pool`, or reserves a free address; InsufficientCapacity when
   * the pool is full. Create-first: the claim's first candidates (from its hash offset) are created
   * directly, so a claim reads nothing unless its address is taken, and an AlreadyExists is checked
   * by GET (this claim's own, after a crash: reused). Only when CREATE_FIRST_PROBES addresses in a
   * row are taken (a dense pool) is the pool listed once, to find this claim's own reservation and
   * skip the taken addresses. A crash-retry may reserve a second address when an earlier candidate
   * was freed in between; releaseForClaim (by label) removes both.
   */
  async allocate(pool: IpPool, claim: Pick<NodeClaimView, 'uid' | 'name'>, namespace: string): Promise<IpAllocation> {
    const candidates = candidateAddresses(pool, claim.uid);
    for (let probe = 0; probe < CREATE_FIRST_PROBES; probe++) {
      const next = candidates.next();
      if (next.done) break;
      if (await this.tryReserve(pool, claim, namespace, next.value)) return { address: next.value, pool };
    }
    const inPool = await this.kube.listConfigMaps(namespace, `${LABEL.managedBy}=${FIELD_MANAGER},${POOL_LABEL}=${labelSafe(pool.key)}`);
    const mine = inPool.find((cm) => cm.metadata?.labels?.[LABEL.nodeClaim] === claim.uid && cm.data?.ip);
    if (mine?.data?.ip) return { address: mine.data.ip, pool };
    const taken = new Set(inPool.map((cm) => cm.data?.ip).filter(Boolean));
    for (const address of candidates) {
      if (!taken.has(address) && (await this.tryReserve(pool, claim, namespace, address))) return { address, pool };
    }
    throw new InsufficientCapacityError(
      `IP pool ${pool.key} is exhausted (${pool.size} addresses, all reserved); see ${PROPERTY.networkCidr} / ${PROPERTY.networkIpRange}`,
    );
  }

  /** Creates the reservation of `address` for the claim; true when it is (now or already) the claim's, false when another claim holds it. */
  private async tryReserve(pool: IpPool, claim: Pick<NodeClaimView, 'uid' | 'name'>, namespace: string, address: string): Promise<boolean> {
    try {
      await this.kube.createConfigMap(namespace, {
        metadata: {
          name: reservationName(pool, address),
          namespace,
          labels: { ...claimLabels(claim), [POOL_LABEL]: labelSafe(pool.key) },
        },
        data: { ip: address, claim: claim.uid, pool: pool.key },
      });
      this.log.info({ claim: claim.name, ip: address, pool: pool.key }, 'reserved IP address');
      return true;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.kube.getConfigMap(namespace, reservationName(pool, address));
      return existing?.metadata?.labels?.[LABEL.nodeClaim] === claim.uid;
    }
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
