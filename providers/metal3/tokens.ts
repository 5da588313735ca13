/** Injection tokens for the services the host hands to one activation (registered in plugin/index.ts). */
import type { KubeConfig } from '@kubernetes/client-node';
import type { InjectionToken } from 'tsyringe';
import type { Clock, EventRecorder, Logger, ResourceWatches } from '../../plugin/contract.js';
import type { TemplateRenderer } from './render/index.js';

/** The site's cluster (BareMetalHosts, their Secrets, IP reservations): a connected cluster or the management one. */
export const KUBE_CONFIG: InjectionToken<KubeConfig> = 'metal3.kubeConfig';
/** The management cluster (OSImages, SSHKeys, NodeEnvironments). */
export const MANAGEMENT_KUBE_CONFIG: InjectionToken<KubeConfig> = 'metal3.managementKubeConfig';
/** The activation's logger (already bound to the provider name). */
export const LOGGER: InjectionToken<Logger> = 'metal3.logger';
/** Kubernetes Events about NodeClaims. */
export const EVENTS: InjectionToken<EventRecorder> = 'metal3.events';
export const CLOCK: InjectionToken<Clock> = 'metal3.clock';
/** The provider's registered name, e.g. `metal3-provider`. */
export const PROVIDER_NAME: InjectionToken<string> = 'metal3.providerName';
/** Renders user data and network data (one private Handlebars instance per activation). */
export const RENDERER: InjectionToken<TemplateRenderer> = 'metal3.renderer';
/** The host's `nodeTypesChanged()`: what nodeTypes() answers may have changed (the host coalesces calls). */
export const NODE_TYPES_CHANGED: InjectionToken<() => void> = 'metal3.nodeTypesChanged';
/** The host's watched caches (`PluginHost.watches`): the provider starts no informer of its own. */
export const WATCHES: InjectionToken<ResourceWatches> = 'metal3.watches';
/** The site's connected cluster by name (`name` absent: the management cluster), for the watches asked of the host. */
export const SITE_CLUSTER: InjectionToken<{ name?: string }> = 'metal3.siteCluster';
