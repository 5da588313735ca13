/**
 * What `npm start` prints about networks: the live block lists each tenant network's hosts (the
 * parking lot as a count), and a port move is a transition line, then another once the switches
 * applied it.
 */
import { describe, expect, it } from '@jest/globals';
import { renderBlock, transitions, type HostView, type LabSnapshot } from '../../lab/demo/labSnapshot.js';

const label = (n: string) => n.replace(/^p-demo-/, '');
const snapshot = (hosts: HostView[]): LabSnapshot => ({ at: 0, hosts, claims: [], nodes: {} });
const parked = (name: string): HostView => ({ name, state: 'available', network: 'parking-lot', vlanId: 10, applying: false });

describe('the demo view of tenant networks', () => {
  it('renders one line per network that holds hosts, parking lot first', () => {
    const block = renderBlock(snapshot([
      parked('cpu-epyc-01'), parked('cpu-epyc-02'),
      { name: 'gpu-h100-01', state: 'provisioning', network: 'p-demo-tenant-1', vlanId: 100, applying: false },
      { name: 'gpu-h100-02', state: 'available', network: 'p-demo-tenant-1', vlanId: 100, applying: true },
    ]), label);
    expect(block.slice(3)).toEqual([
      '  net     parking-lot (VLAN 10): 2 hosts',
      '  net     tenant-1 (VLAN 100): gpu-h100-01 provisioning, gpu-h100-02 available (ports applying)',
    ]);
    // Without a fabric (no network known) there are no network lines.
    expect(renderBlock(snapshot([{ name: 'h', state: 'available' }]))).toHaveLength(3);
  });

  it('reports a move when it is requested and again when the switches applied it', () => {
    const before = snapshot([parked('gpu-h100-01')]);
    const moving = snapshot([{ name: 'gpu-h100-01', state: 'available', network: 'p-demo-tenant-1', vlanId: 100, applying: true }]);
    const moved = snapshot([{ name: 'gpu-h100-01', state: 'available', network: 'p-demo-tenant-1', vlanId: 100, applying: false }]);
    expect(transitions(before, moving, label)).toEqual(['host gpu-h100-01: parking-lot → tenant-1 (VLAN 100), switches applying']);
    expect(transitions(moving, moved, label)).toEqual(['host gpu-h100-01: switch ports active in tenant-1']);
    expect(transitions(moved, before, label)).toEqual(['host gpu-h100-01: tenant-1 → parking-lot (VLAN 10)']);
    expect(transitions(moved, moved, label)).toEqual([]);
  });
});
