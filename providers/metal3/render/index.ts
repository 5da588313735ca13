export { TemplateRenderer, TEMPLATE } from './templateRenderer.js';
export type { UserDataInput, NetworkDataInput } from './types.js';
export { TENANT_CA_PATH, JOIN_SCRIPT_PATH } from './userDataView.js';
