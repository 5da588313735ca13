/** Reading a BareMetalHost's NICs and LLDP switch ports for the fabric. */
import { describe, expect, it } from '@jest/globals';
import { hostPortsFromBareMetalHost } from '../../../providers/metal3/fabric/hostPorts.js';

describe('hostPortsFromBareMetalHost', () => {
  it('maps status.hardware.nics[].lldp to switch and port ids', () => {
    const ports = hostPortsFromBareMetalHost({
      metadata: { name: 'gpu-1', namespace: 'metal3' },
      spec: { online: false },
      status: {
        hardware: {
          nics: [
            { name: 'eno1', mac: 'AA:BB:CC:00:00:01', lldp: { switchID: 'leaf-1', portID: 'swp7' } },
            { name: 'eno2', mac: 'aa:bb:cc:00:00:02' },
          ],
        },
      },
    });
    expect(ports).toEqual({
      hostName: 'metal3/gpu-1',
      nics: [
        { name: 'eno1', mac: 'aa:bb:cc:00:00:01', switchId: 'leaf-1', portId: 'swp7' },
        { name: 'eno2', mac: 'aa:bb:cc:00:00:02', switchId: undefined, portId: undefined },
      ],
    });
  });

  it('gives no NICs for a host not yet inspected', () => {
    expect(hostPortsFromBareMetalHost({ metadata: { name: 'new' }, spec: { online: false } })).toEqual({ hostName: 'new', nics: [] });
  });
});
