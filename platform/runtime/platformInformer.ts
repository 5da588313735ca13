/**
 * The host's informer of a `management.loft.sh/v1` resource in every namespace (NodeClaims, NodeTypes,
 * NodeProviders, VirtualClusterInstances, Projects, Clusters): its path and list built once from the
 * apis.ts names, so a controller says only which resource and what to do on a change.
 */
import { CustomObjectsApi, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { GROUP, VERSION } from './apis.js';
import { startResourceInformer, type InformerOptions, type ResourceInformer } from './informer.js';

export function startPlatformInformer<T extends KubernetesObject>(
  plural: string, opts: Omit<InformerOptions<T>, 'path' | 'list'>,
): Promise<ResourceInformer<T>> {
  const custom = opts.kubeConfig.makeApiClient(CustomObjectsApi);
  return startResourceInformer<T>({
    ...opts,
    path: `/apis/${GROUP}/${VERSION}/${plural}`,
    list: (page) => custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural, limit: page.limit, _continue: page.continue }) as Promise<KubernetesListObject<T>>,
  });
}
