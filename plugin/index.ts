/**
 * The plugin's entry (manifest `entry`): one tsyringe child container per activation, so two
 * hot-reloaded versions never share instances, and below it one container per site (the cluster and
 * namespace of a group of node types: see providers/metal3/sites/), built on the client configuration the
 * host hands out for that cluster. dispose() stops everything the activation started.
 */
import 'reflect-metadata';
import type { KubeConfig } from '@kubernetes/client-node';
import { container, Lifecycle, type DependencyContainer } from 'tsyringe';
import type { PluginActivation, PluginHost } from './contract.js';
import { Catalogue } from '../providers/metal3/catalogue.js';
import { ClaimWrites } from '../providers/metal3/claim/claimWrites.js';
import { CreateNode } from '../providers/metal3/claim/createNode.js';
import { FabricClaim } from '../providers/metal3/claim/fabricClaim.js';
import { PlainClaim } from '../providers/metal3/claim/plainClaim.js';
import { HostCache } from '../providers/metal3/hostCache.js';
import { HostNetwork } from '../providers/metal3/hostNetwork.js';
import { KubeClient } from '../providers/metal3/kube.js';
import { ClaimSecrets } from '../providers/metal3/launch/claimSecrets.js';
import { IpReservations } from '../providers/metal3/launch/ipReservations.js';
import { ClaimInputsResolver } from '../providers/metal3/launch/resolveInputs.js';
import { Metal3Provider } from '../providers/metal3/provider.js';
import { ReleaseHost } from '../providers/metal3/releaseHost.js';
import { HostPower } from '../providers/metal3/hostPower.js';
import { TemplateRenderer } from '../providers/metal3/render/index.js';
import { SiteRouter } from '../providers/metal3/sites/siteRouter.js';
import {
  CLOCK, EVENTS, KUBE_CONFIG, LOGGER, MANAGEMENT_KUBE_CONFIG, NODE_TYPES_CHANGED, PROVIDER_NAME, RENDERER, SITE_CLUSTER, WATCHES,
} from '../providers/metal3/tokens.js';

export { CONTRACT_VERSION } from './contract.js';

const SITE_SCOPED_CLASSES = [
  KubeClient, HostCache, Catalogue, HostNetwork, ClaimInputsResolver, IpReservations, ClaimSecrets, ClaimWrites, PlainClaim, FabricClaim, CreateNode, ReleaseHost, HostPower, Metal3Provider,
];

export async function activate(host: PluginHost): Promise<PluginActivation> {
  const missing = (['providerName', 'kubeConfig', 'logger', 'events', 'nodeTypesChanged', 'watches'] as const).filter((key) => !host?.[key]);
  if (missing.length) throw new Error(`metal3 provider startup failed: the host did not provide ${missing.join(', ')}`);
  const scope = container.createChildContainer();
  registerHostServices(scope, host);
  const logger = scope.resolve(LOGGER);
  const provider = new SiteRouter({
    management: host.kubeConfig,
    clusters: host.clusters,
    logger,
    open: (kubeConfig, site, cluster) => openSite(scope, kubeConfig, site, cluster),
  });
  let disposed = false;
  return {
    provider,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await provider.stop();
      await scope.dispose();
    },
  };
}

/** One site's container: its own client (on the site's cluster), cache (a watch of that cluster asked of the host) and steps, resolved to a Metal3Provider. */
function openSite(scope: DependencyContainer, kubeConfig: KubeConfig, site: string, cluster: string | undefined) {
  const siteScope = scope.createChildContainer();
  siteScope.register(KUBE_CONFIG, { useValue: kubeConfig });
  siteScope.register(SITE_CLUSTER, { useValue: { name: cluster } });
  siteScope.register(LOGGER, { useValue: scope.resolve(LOGGER).child({ site }) });
  for (const cls of SITE_SCOPED_CLASSES) {
    siteScope.register(cls as never, { useClass: cls as never }, { lifecycle: Lifecycle.ContainerScoped });
  }
  const provider = siteScope.resolve(Metal3Provider);
  return {
    provider,
    async dispose() {
      await provider.stop();
      await siteScope.dispose();
    },
  };
}

function registerHostServices(scope: DependencyContainer, host: PluginHost): void {
  scope.register(MANAGEMENT_KUBE_CONFIG, { useValue: host.kubeConfig });
  scope.register(LOGGER, { useValue: host.logger.child({ provider: host.providerName, replica: host.replicaId }) });
  scope.register(EVENTS, { useValue: host.events });
  scope.register(CLOCK, { useValue: host.clock ?? { now: () => new Date() } });
  scope.register(PROVIDER_NAME, { useValue: host.providerName });
  scope.register(NODE_TYPES_CHANGED, { useValue: () => host.nodeTypesChanged() });
  scope.register(WATCHES, { useValue: host.watches });
  scope.register(RENDERER, { useValue: new TemplateRenderer() });
}
