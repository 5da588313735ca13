export { startServerFarm, type ServerFarm, type ServerFarmOptions } from './serverFarm.js';
export type { ServerStatus, ServerPhase } from './server.js';
export { parseCloudConfig, hasCloudConfigHeader, CloudConfigError, type CloudConfig } from './cloudConfig.js';
export { parseNetworkData, NetworkDataError, type NetworkSettings } from './networkData.js';
export { redact } from './consoleLog.js';
export type { SandboxMode } from './sandbox.js';
