/** claimedHost (launch/claimMutation.ts): the host a claim writes, built without changing the cached host. */
import { describe, expect, it } from '@jest/globals';
import { claimedHost, isFullyClaimed } from '../../providers/metal3/launch/claimMutation.js';
import { parseIpPool } from '../../providers/metal3/ipam/pool.js';
import { aBareMetalHost, aClaim } from '../support/builders.js';

const ref = { name: 'claim-data', namespace: 'metal3' };
const image = { url: 'http://images.lab/ubuntu.qcow2', checksum: 'a'.repeat(64), checksumType: 'sha256' as const };
const pool = parseIpPool({ 'metal3.vcluster.com/network-cidr': '10.20.0.1/24', 'metal3.vcluster.com/dns-servers': '1.1.1.1' }, {})!;

describe('claimedHost', () => {
  it('writes consumerRef, claim label, image, data references, online and the IP annotations', () => {
    const claim = aClaim();
    const next = claimedHost(aBareMetalHost('h-1'), { claim, tenant: 'tenant-a', image, userData: ref, networkData: ref, ip: { address: '10.20.0.7', pool } });
    expect(isFullyClaimed(next, claim.uid)).toBe(true);
    expect(next.spec).toMatchObject({ consumerRef: { kind: 'NodeClaim', name: claim.name, uid: claim.uid }, image, userData: ref, networkData: ref, online: true });
    expect(next.metadata.annotations).toMatchObject({ 'metal3.vcluster.com/ip-address': '10.20.0.7/24', 'metal3.vcluster.com/dns-servers': '1.1.1.1' });
  });

  it('leaves the host it was given (the cached copy) exactly as it was', () => {
    const cached = aBareMetalHost('h-2', { metadata: { annotations: { 'metal3.vcluster.com/ip-address': '192.168.1.5/24' } } });
    const before = structuredClone(cached);
    claimedHost(cached, { claim: aClaim(), tenant: 'tenant-a', image, userData: ref, networkData: ref, ip: { address: '10.20.0.8', pool } });
    expect(cached).toEqual(before);
  });
});
