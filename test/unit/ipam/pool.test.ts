import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { candidateAddresses, formatIpv4, parseIpPool, parseIpv4 } from '../../../providers/metal3/ipam/pool.js';
import { PROPERTY } from '../../../providers/metal3/properties.js';
import { expectRejectsWith } from '../../support/expectations.js';

const ENV = 'NodeEnvironment p-a/net';
function pool(props: Record<string, string>) {
  return parseIpPool(props, Object.fromEntries(Object.keys(props).map((k) => [k, ENV])));
}

describe('parseIpPool', () => {
  it('is undefined without IPAM properties', () => {
    expect(pool({})).toBeUndefined();
    expect(pool({ [PROPERTY.dnsServers]: '1.1.1.1' })).toBeUndefined();
  });

  it('takes the gateway from the host part of network-cidr and excludes network, broadcast and gateway', () => {
    expect(pool({ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.dnsServers]: '1.1.1.1, 8.8.8.8', [PROPERTY.ntpServers]: 'pool.ntp.org,10.0.0.2' })).toEqual({
      key: '10.0.0.0-24', network: '10.0.0.0', prefixLength: 24, gateway: '10.0.0.1',
      dns: ['1.1.1.1', '8.8.8.8'], ntp: ['pool.ntp.org', '10.0.0.2'], size: 253,
    });
  });

  it('restricts to network-ip-range, keeping the network key', () => {
    const p = pool({ [PROPERTY.networkCidr]: '192.168.100.1/24', [PROPERTY.networkIpRange]: '192.168.100.10-192.168.100.20, 192.168.100.30' })!;
    expect(p).toMatchObject({ key: '192.168.100.0-24', size: 12, ranges: [{ first: '192.168.100.10', last: '192.168.100.20' }, { first: '192.168.100.30', last: '192.168.100.30' }] });
  });

  it('drops the gateway from a range that contains it', () => {
    expect(pool({ [PROPERTY.networkCidr]: '10.0.0.5/24', [PROPERTY.networkIpRange]: '10.0.0.1-10.0.0.10' })!.size).toBe(9);
  });

  it.each([
    [{ [PROPERTY.networkIpRange]: '10.0.0.10-10.0.0.20' }, PROPERTY.networkIpRange, /needs metal3.vcluster.com\/network-cidr too/],
    [{ [PROPERTY.networkCidr]: '10.0.0.0/24' }, PROPERTY.networkCidr, /10.0.0.0 is the network address \(write e.g. 10.0.0.1\/24\)/],
    [{ [PROPERTY.networkCidr]: '10.0.0.255/24' }, PROPERTY.networkCidr, /broadcast address/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1' }, PROPERTY.networkCidr, /is not <gateway IPv4>\/<prefix length>/],
    [{ [PROPERTY.networkCidr]: '10.0.0.300/24' }, PROPERTY.networkCidr, /is not <gateway IPv4>/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/31' }, PROPERTY.networkCidr, /prefix length 31 must be between 1 and 30/],
    [{ [PROPERTY.networkCidr]: 'fd00::1/64' }, PROPERTY.networkCidr, /is IPv6; only IPv4 is supported/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.networkIpRange]: '10.0.1.1-10.0.1.5' }, PROPERTY.networkIpRange, /is not inside 10.0.0.0\/24/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.networkIpRange]: '10.0.0.9-10.0.0.5' }, PROPERTY.networkIpRange, /ends before it starts/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.networkIpRange]: '10.0.0.2-10.0.0.9,10.0.0.5-10.0.0.20' }, PROPERTY.networkIpRange, /overlaps 10.0.0.2-10.0.0.9/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.networkIpRange]: 'a-b' }, PROPERTY.networkIpRange, /is not <IPv4>-<IPv4>/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.networkIpRange]: ' , ' }, PROPERTY.networkIpRange, /is empty/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.networkIpRange]: '10.0.0.1' }, PROPERTY.networkIpRange, /leaves no allocatable address/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.dnsServers]: '1.1.1' }, PROPERTY.dnsServers, /"1.1.1" is not an IPv4 address/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.dnsServers]: '2001:db8::1' }, PROPERTY.dnsServers, /IPv6/],
    [{ [PROPERTY.networkCidr]: '10.0.0.1/24', [PROPERTY.ntpServers]: 'bad host!' }, PROPERTY.ntpServers, /is not an IPv4 address or host name/],
  ])('rejects %j', async (props, key, message) => {
    const err = await expectRejectsWith(() => pool(props), 'InvalidConfiguration', { object: ENV, field: `spec.properties[${JSON.stringify(key)}]` });
    expect(err.message).toMatch(message);
  });
});

describe('candidateAddresses', () => {
  it('yields every allocatable address once, starting at a seed-dependent offset', () => {
    const p = pool({ [PROPERTY.networkCidr]: '10.0.0.1/29' })!;
    const a = [...candidateAddresses(p, 'claim-a')];
    expect([...a].sort()).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    const starts = new Set(Array.from({ length: 20 }, (_, i) => candidateAddresses(p, `claim-${i}`).next().value));
    expect(starts.size).toBeGreaterThan(1);
    expect([...candidateAddresses(p, 'claim-a')]).toEqual(a);
  });

  it('is lazy: a /8 pool yields its first addresses without enumerating 16M', () => {
    const p = pool({ [PROPERTY.networkCidr]: '10.0.0.1/8' })!;
    const it = candidateAddresses(p, 'x');
    const first = it.next().value!;
    expect(parseIpv4(first)).toBeDefined();
    expect(p.size).toBe(2 ** 24 - 3);
  });

  const v4 = fc.integer({ min: 0x01000000, max: 0xdfffffff });
  it('property: no duplicates, all inside the ranges and the subnet, never network/broadcast/gateway', () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 23, max: 30 }), fc.integer({ min: 0, max: 2 ** 10 }), fc.integer({ min: 0, max: 2 ** 10 }), fc.boolean(), fc.string(),
        (base, prefix, offA, offB, withRange, seed) => {
          const mask = (0xffffffff << (32 - prefix)) >>> 0;
          const network = (base & mask) >>> 0;
          const broadcast = (network | (~mask >>> 0)) >>> 0;
          const hostCount = broadcast - network;
          const gateway = network + 1 + (offA % (hostCount - 1));
          const props: Record<string, string> = { [PROPERTY.networkCidr]: `${formatIpv4(gateway)}/${prefix}` };
          let lo = network;
          let hi = broadcast;
          if (withRange) {
            lo = network + (offA % (hostCount + 1));
            hi = lo + (offB % (broadcast - lo + 1));
            props[PROPERTY.networkIpRange] = `${formatIpv4(lo)}-${formatIpv4(hi)}`;
          }
          let p;
          try {
            p = pool(props)!;
          } catch (err) {
            // Only a range holding nothing but network/broadcast/gateway may be refused.
            expect((err as Error).message).toMatch(/leaves no allocatable address/);
            return;
          }
          const seen = [...candidateAddresses(p, seed)].map((a) => parseIpv4(a)!);
          expect(seen.length).toBe(p.size);
          expect(new Set(seen).size).toBe(seen.length);
          const outside = seen.filter((a) => a <= network || a >= broadcast || a === gateway || a < lo || a > hi);
          expect(outside.map(formatIpv4)).toEqual([]);
          const expected = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i).filter((a) => a !== network && a !== broadcast && a !== gateway);
          expect(seen.length).toBe(expected.length);
        }),
      { numRuns: 150 },
    );
  });
});
