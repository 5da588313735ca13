export { defaultFleet, makeFleet, DEFAULT_BMC_BASE, DEFAULT_FLEET_NAMESPACE, type Fleet, type FleetOptions } from './fleet.js';
export { applyFleet, type ApplyResult } from './apply.js';
export {
  CPU_EPYC, DGX_H100, GENERIC, HARDWARE_PROFILES, EXTENDED_RESOURCES_ANNOTATION, HARDWARE_PROFILE_ANNOTATION,
  bootMacFor, hardwareFor, profileNamed, rackSlotFor, type HardwareProfile,
} from './profiles.js';
