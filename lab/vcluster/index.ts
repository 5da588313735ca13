export { startTenant, tenantKubeConfig, type Tenant, type TenantOptions, type JoinToken, type JoinTokenOptions } from './tenant.js';
export { startTenantManager, type TenantManager, type TenantManagerOptions } from './tenantManager.js';
export { caPublicKeyHash } from '../pki.js';
export { parseToken, TOKEN_LABEL, TOKEN_NODE_TYPE_LABEL } from './bootstrapTokens.js';
