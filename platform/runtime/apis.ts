/** The one table of the API groups, versions and plurals the host reads and writes (`management.loft.sh/v1`). */

export const GROUP = 'management.loft.sh';
export const VERSION = 'v1';
/** `apiVersion` of the platform's objects. */
export const API_VERSION = `${GROUP}/${VERSION}`;

export const NODECLAIMS = 'nodeclaims';
export const NODETYPES = 'nodetypes';
export const NODEPROVIDERS = 'nodeproviders';
export const VCIS = 'virtualclusterinstances';
export const NODEENVIRONMENTS = 'nodeenvironments';
export const CLUSTERS = 'clusters';
