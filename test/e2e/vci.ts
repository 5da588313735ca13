/** VirtualClusterInstance values for the e2e tests: one autoNodes entry with static pools. */
import { stringify } from 'yaml';

export interface StaticPool {
  name: string;
  quantity: number;
  type: string;
}

export function vciValues(pools: StaticPool[]): string {
  return stringify({
    privateNodes: {
      enabled: true,
      autoNodes: [{
        provider: 'metal3-provider',
        static: pools.map((p) => ({ name: p.name, quantity: p.quantity, nodeTypeSelector: [{ property: 'vcluster.com/node-type', value: p.type }] })),
      }],
    },
  });
}
