/**
 * IP reservations against the lab API over real HTTP: an uncontended claim reserves with one
 * create and no read; a claim whose first address is taken lists the pool once; a retry finds the
 * claim's own reservation; a full pool says so; no address is ever reserved twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { isInsufficientCapacity } from '../../plugin/contract.js';
import { candidateAddresses, parseIpPool, type IpPool } from '../../providers/metal3/ipam/pool.js';
import { IpReservations, reservationName } from '../../providers/metal3/launch/ipReservations.js';
import { KubeClient } from '../../providers/metal3/kube.js';
import { startTestLab, type TestLab } from '../support/lab.js';
import { RecordingLogger } from './helpers.js';

const poolOf = (cidr: string): IpPool => parseIpPool({ 'metal3.vcluster.com/network-cidr': cidr }, {})!;

describe('IpReservations', () => {
  let lab: TestLab;
  let ipam: IpReservations;

  beforeAll(async () => {
    lab = await startTestLab({ namespace: 'ipam-test' });
    ipam = new IpReservations(new KubeClient(lab.kc), new RecordingLogger());
  });
  afterAll(async () => lab?.close());
  beforeEach(() => lab.api.stats.reset());

  it('reserves the first candidate with one create and no read', async () => {
    const pool = poolOf('10.30.0.1/16');
    const claim = { uid: 'uid-first', name: 'first' };
    const ip = await ipam.allocate(pool, claim, lab.namespace);
    expect(ip.address).toBe(candidateAddresses(pool, claim.uid).next().value);
    const { requests } = lab.api.stats.snapshot();
    expect(requests).toMatchObject({ CREATE: 1, LIST: 0, GET: 0 });
  });

  it('returns the same address on a retry of the same claim without a second reservation', async () => {
    const pool = poolOf('10.30.0.1/16');
    const claim = { uid: 'uid-retry', name: 'retry' };
    const first = await ipam.allocate(pool, claim, lab.namespace);
    const again = await ipam.allocate(pool, claim, lab.namespace);
    expect(again.address).toBe(first.address);
    const held = await lab.core.listNamespacedConfigMap({ namespace: lab.namespace, labelSelector: 'metal3.vcluster.com/node-claim=uid-retry' });
    expect(held.items).toHaveLength(1);
  });

  const takeByOther = (pool: IpPool, address: string) =>
    lab.core.createNamespacedConfigMap({
      namespace: lab.namespace,
      body: {
        metadata: {
          name: reservationName(pool, address),
          labels: { 'metal3.vcluster.com/node-claim': 'someone-else', 'app.kubernetes.io/managed-by': 'metal3-provider', 'metal3.vcluster.com/ip-pool': pool.key },
        },
        data: { ip: address },
      },
    });

  it('when the first address is taken, tries the next by create (no LIST) and a retry finds the claim own', async () => {
    const pool = poolOf('10.40.0.1/16');
    const claim = { uid: 'uid-second', name: 'second' };
    const [firstCandidate, secondCandidate] = [...candidateAddresses(pool, claim.uid)];
    await takeByOther(pool, firstCandidate);
    lab.api.stats.reset();
    const ip = await ipam.allocate(pool, claim, lab.namespace);
    expect(ip.address).toBe(secondCandidate);
    expect(lab.api.stats.snapshot().requests.LIST).toBe(0);
    // A retry (e.g. after a crash) collides on the first address again and finds its own on the second.
    expect((await ipam.allocate(pool, claim, lab.namespace)).address).toBe(secondCandidate);
  });

  it('in a dense pool lists once after a few taken addresses and skips every taken one', async () => {
    const pool = poolOf('10.45.0.1/28'); // 13 allocatable addresses
    const claim = { uid: 'uid-dense', name: 'dense' };
    const candidates = [...candidateAddresses(pool, claim.uid)];
    for (const address of candidates.slice(0, 10)) await takeByOther(pool, address);
    lab.api.stats.reset();
    const ip = await ipam.allocate(pool, claim, lab.namespace);
    expect(ip.address).toBe(candidates[10]);
    const { requests } = lab.api.stats.snapshot();
    expect(requests.LIST).toBe(1);
    expect(requests.CREATE).toBeLessThan(10);
    expect((await ipam.allocate(pool, claim, lab.namespace)).address).toBe(candidates[10]);
  });

  it('gives distinct addresses to concurrent claims and reports a full pool as InsufficientCapacity', async () => {
    const pool = poolOf('10.50.0.1/29'); // 5 allocatable addresses
    const claims = Array.from({ length: 5 }, (_, i) => ({ uid: `uid-c${i}`, name: `c${i}` }));
    const ips = await Promise.all(claims.map((c) => ipam.allocate(pool, c, lab.namespace)));
    expect(new Set(ips.map((ip) => ip.address)).size).toBe(5);
    const err = await ipam.allocate(pool, { uid: 'uid-late', name: 'late' }, lab.namespace).catch((e: unknown) => e);
    expect(isInsufficientCapacity(err)).toBe(true);
    expect((err as Error).message).toMatch(/exhausted/);
  });
});
