import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { TemplateRenderer } from '../../../providers/metal3/render/index.js';
import { networkDataJsonProblems } from '../../../providers/metal3/render/networkData.js';
import { networkDataInput } from './fixtures.js';
import { expectRejectsWith } from '../../support/expectations.js';

const renderer = new TemplateRenderer();

describe('renderNetworkData', () => {
  it('renders OpenStack network_data.json with a static IPv4 network on the boot NIC', () => {
    const doc = JSON.parse(renderer.renderNetworkData(networkDataInput()));
    expect(networkDataJsonProblems(doc)).toEqual([]);
    expect(doc.links).toEqual([
      { id: 'eno1', type: 'phy', ethernet_mac_address: '52:54:00:aa:00:01', mtu: 1500 },
      { id: 'eno2', type: 'phy', ethernet_mac_address: '52:54:00:aa:00:02', mtu: 9000 },
    ]);
    expect(doc.networks).toEqual([{
      id: 'network0', network_id: 'network0', type: 'ipv4', link: 'eno1', ip_address: '10.0.0.23', netmask: '255.255.255.0',
      routes: [{ network: '0.0.0.0', netmask: '0.0.0.0', gateway: '10.0.0.1' }],
    }]);
    expect(doc.services).toEqual([{ type: 'dns', address: '1.1.1.1' }, { type: 'dns', address: '8.8.8.8' }]);
  });

  it('picks the NIC with the boot MAC as the boot link, not just the first', () => {
    const doc = JSON.parse(renderer.renderNetworkData(networkDataInput({ bootMac: '52:54:00:aa:00:02' })));
    expect(doc.networks[0].link).toBe('eno2');
  });

  it('uses DHCP without an allocated IP', () => {
    const doc = JSON.parse(renderer.renderNetworkData(networkDataInput({ ip: undefined })));
    expect(doc.networks).toEqual([{ id: 'network0', network_id: 'network0', type: 'ipv4_dhcp', link: 'eno1' }]);
    expect(doc.services).toEqual([]);
  });

  it('falls back to one link from the boot MAC when NICs are unknown', () => {
    const doc = JSON.parse(renderer.renderNetworkData(networkDataInput({ nics: [] })));
    expect(doc.links).toEqual([{ id: 'boot0', type: 'phy', ethernet_mac_address: '52:54:00:aa:00:01', mtu: 1500 }]);
  });

  it.each([
    [{ nics: [], bootMac: undefined }, 'spec.bootMACAddress', /no NIC known/],
    [{ bootMac: 'zz:zz' }, 'spec.bootMACAddress', /"zz:zz" is not a MAC address/],
    [{ nics: [{ name: 'eno1', mac: '52:54:00:aa:00:01' }, { name: 'eno1', mac: '52:54:00:aa:00:03' }] }, 'status.hardware.nics', /"eno1" is empty or repeated/],
    [{ ip: { address: '10.0.0.256', prefixLength: 24, gateway: '10.0.0.1', dns: [] } }, 'ip.address', /is not an IPv4 address/],
    [{ ip: { address: '10.0.0.2', prefixLength: 33, gateway: '10.0.0.1', dns: [] } }, 'ip.prefixLength', /is not between 1 and 32/],
    [{ ip: { address: '10.0.0.2', prefixLength: 24, gateway: '10.0.0.1', dns: ['dns.example'] } }, 'ip.dns', /is not an IPv4 address/],
  ])('rejects %j', async (overrides, field, message) => {
    const err = await expectRejectsWith(() => renderer.renderNetworkData(networkDataInput(overrides)), 'InvalidConfiguration', { object: 'BareMetalHost metal3/server-01', field: field });
    expect(err.message).toMatch(message);
  });

  it('escapes odd NIC names: output stays valid JSON with the name as a value', () => {
    const name = 'eno1", "type": "bond';
    const doc = JSON.parse(renderer.renderNetworkData(networkDataInput({ nics: [{ name, mac: '52:54:00:aa:00:01' }] })));
    expect(doc.links[0]).toEqual({ id: name, type: 'phy', ethernet_mac_address: '52:54:00:aa:00:01', mtu: 1500 });
  });

  describe('custom network data', () => {
    const origin = 'NodeClaim p-a/claim-1';
    it('returns valid JSON network_data verbatim', () => {
      const custom = '{"links":[],"networks":[],"services":[]}';
      expect(renderer.renderNetworkData(networkDataInput({ custom, customOrigin: origin }))).toBe(custom);
    });
    it('returns valid netplan v2 YAML verbatim', () => {
      const custom = 'network:\n  version: 2\n  ethernets:\n    eno1:\n      dhcp4: true\n';
      expect(renderer.renderNetworkData(networkDataInput({ custom, customOrigin: origin }))).toBe(custom);
      const bare = 'version: 2\nethernets: {}\n';
      expect(renderer.renderNetworkData(networkDataInput({ custom: bare }))).toBe(bare);
    });
    it.each([
      ['{"links": [', /is not valid JSON/],
      ['{"foo": 1}', /must be OpenStack network_data.json with "links" and "networks"/],
      ['network:\n  version: 1\n', /must be OpenStack network_data.json or netplan v2 YAML/],
      ['just text', /must be OpenStack network_data.json or netplan v2 YAML/],
      ['a: [\n', /is neither valid JSON nor valid YAML/],
    ])('rejects %j naming the property and its origin', async (custom, message) => {
      const err = await expectRejectsWith(() => renderer.renderNetworkData(networkDataInput({ custom, customOrigin: origin })), 'InvalidConfiguration', { object: origin, field: 'spec.properties["metal3.vcluster.com/network-data"]' });
      expect(err.message).toMatch(message);
    });
  });
});

describe('networkDataJsonProblems', () => {
  it('finds structural problems', () => {
    expect(networkDataJsonProblems([])).toEqual(['not a JSON object']);
    expect(networkDataJsonProblems({
      links: [{ id: 'a', type: 'bond', ethernet_mac_address: 'x', mtu: 1.5 }],
      networks: [{ link: 'b', type: 'ipv4', ip_address: '1.2.3', netmask: '255.255.255.0', routes: [{ gateway: 'g' }] }],
      services: [{ type: 'ntp', address: '1.1.1.1' }],
    })).toEqual([
      'links[0].type must be "phy"',
      'links[0].ethernet_mac_address invalid',
      'links[0].mtu must be an integer',
      'networks[0].link does not name a link',
      'networks[0].ip_address invalid',
      'networks[0].routes invalid',
      'services[0] must be {type: dns, address: <IPv4>}',
    ]);
  });
});

describe('renderNetplan', () => {
  it('describes the same network as netplan v2', () => {
    const doc = parse(renderer.renderNetplan(networkDataInput()));
    expect(doc).toEqual({
      network: {
        version: 2,
        ethernets: {
          eno1: {
            match: { macaddress: '52:54:00:aa:00:01' }, 'set-name': 'eno1', mtu: 1500, dhcp4: false,
            addresses: ['10.0.0.23/24'], routes: [{ to: '0.0.0.0/0', via: '10.0.0.1' }], nameservers: { addresses: ['1.1.1.1', '8.8.8.8'] },
          },
          eno2: { match: { macaddress: '52:54:00:aa:00:02' }, 'set-name': 'eno2', mtu: 9000, dhcp4: false, optional: true },
        },
      },
    });
  });

  it('uses dhcp4 on the boot NIC without an IP, and does not rename an unnamed boot NIC', () => {
    const doc = parse(renderer.renderNetplan(networkDataInput({ ip: undefined, nics: undefined })));
    expect(doc.network.ethernets).toEqual({ boot0: { match: { macaddress: '52:54:00:aa:00:01' }, mtu: 1500, dhcp4: true } });
  });
});
