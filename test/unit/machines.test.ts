import { describe, expect, it } from '@jest/globals';
import { validateProviderConfig } from '../../providers/metal3/config.js';
import { machineViews, ZONE_LABEL } from '../../providers/metal3/machines.js';
import type { BareMetalHost } from '../../providers/metal3/types.js';
import { aBareMetalHost } from '../support/builders.js';

const settings = validateProviderConfig({
  name: 'metal3-provider',
  spec: {
    metal3: {
      clusterRef: { namespace: 'metal3' },
      nodeTypes: [
        { name: 'gpu', bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'h100' } } } },
        { name: 'cpu', bareMetalHosts: { selector: { matchLabels: { 'gpu-model': 'none' } } } },
      ],
    },
  },
});
const host = (...args: Parameters<typeof aBareMetalHost>) => aBareMetalHost(...args) as unknown as BareMetalHost;

describe('listMachines', () => {
  it('shows a free host with the first node type it matches, its zone and power', () => {
    const [view] = machineViews(settings, [host('h1', { metadata: { name: 'h1', labels: { 'gpu-model': 'h100', [ZONE_LABEL]: 'dc-1' } }, status: { poweredOn: true } as never })]);
    expect(view).toEqual({ name: 'h1', namespace: 'metal3', state: 'available', poweredOn: true, nodeType: 'gpu', zone: 'dc-1' });
  });

  it("shows a claimed host with its claim's node type and tenant network, and BMO's error", () => {
    const [view] = machineViews(settings, [host('h2', {
      metadata: {
        name: 'h2', labels: { 'gpu-model': 'h100', 'metal3.vcluster.com/node-claim': 'uid-1' },
        annotations: { 'metal3.vcluster.com/node-type': 'cpu', 'metal3.vcluster.com/netris-server-cluster': 'p-demo-tenant-1', 'metal3.vcluster.com/netris-vlan': '101' },
      },
      spec: { userData: { name: 'secret-user-data' } } as never,
      status: { operationalStatus: 'error', errorType: 'provisioning error', errorMessage: 'Image checksum mismatch', provisioning: { state: 'provisioning' } },
    })]);
    expect(view).toEqual({
      name: 'h2', namespace: 'metal3', state: 'provisioning', poweredOn: false, nodeType: 'cpu', claimUid: 'uid-1', network: 'p-demo-tenant-1', vlanId: 101,
      error: { type: 'provisioning error', message: 'Image checksum mismatch' },
    });
    expect(JSON.stringify(view)).not.toContain('secret-user-data');
  });

  it('shows a host no node type selects without one', () => {
    const [view] = machineViews(settings, [host('h3', { metadata: { name: 'h3', labels: { 'gpu-model': 'a100' } } })]);
    expect(view.nodeType).toBeUndefined();
  });
});
