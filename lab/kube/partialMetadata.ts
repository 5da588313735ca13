/**
 * Metadata-only answers (`Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1`), as the real
 * apiserver's transformResponseObject serves them for get, list, create, update and patch: the object's whole
 * `metadata` (managedFields included) under kind PartialObjectMetadata, a list as PartialObjectMetadataList.
 * `v=v1beta1` is served too (client-go's older metadata clients ask for it).
 */
import type { KubeObject } from './types.js';

export type MetadataVersion = 'v1' | 'v1beta1';

/** The meta.k8s.io version asked for by the first media range of `accept`, if it asks for PartialObjectMetadata. */
export function wantsPartialMetadata(accept: string | undefined): MetadataVersion | undefined {
  if (!accept) return undefined;
  const [type, ...params] = accept.split(',')[0].split(';').map((part) => part.trim());
  if (type !== 'application/json') return undefined;
  const param = (key: string) => params.find((p) => p.startsWith(`${key}=`))?.slice(key.length + 1);
  if (param('as') !== 'PartialObjectMetadata' || param('g') !== 'meta.k8s.io') return undefined;
  const version = param('v');
  return version === 'v1' || version === 'v1beta1' ? version : undefined;
}

export function partialMetadata(obj: KubeObject, version: MetadataVersion = 'v1'): object {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function partialMetadataList(objects: KubeObject[], listMeta: object, version: MetadataVersion): object {
  return { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${version}`, metadata: listMeta, items: objects.map((o) => partialMetadata(o, version)) };
}
