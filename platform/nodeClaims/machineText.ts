/** How the host names a provider's machine in conditions, events and logs: from the contract's MachineRef only. */
import type { MachineRef } from '../../plugin/contract.js';

/** `BareMetalHost metal3/gpu-01`; `machine` when the provider named none. */
export function describeMachine(machine: MachineRef | undefined): string {
  if (!machine) return 'machine';
  return `${machine.kind} ${machine.namespace ? `${machine.namespace}/` : ''}${machine.name}`;
}
