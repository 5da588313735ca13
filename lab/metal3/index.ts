export { startMetal3Simulator, type Metal3Simulator, type Metal3SimulatorOptions, type SimulatorStats } from './simulator.js';
export { DEMO_TIMINGS, TEST_TIMINGS, type PhaseTimings } from './timings.js';
export { FAULT_ANNOTATION, parseFaultPlan, type FaultPlan, type FaultSpec } from './faults.js';
export type { PowerEvent } from './step.js';
export { bmcDriverFor, parseBmcAddress } from './admission/bmcAccess.js';
export { bareMetalHostWebhook, BMH_WEBHOOK_NAME } from './admission/hostWebhook.js';
export {
  DETACHED_ANNOTATION, INSPECT_ANNOTATION, PAUSED_ANNOTATION, REBOOT_ANNOTATION,
} from './annotations.js';
export * from './types.js';
