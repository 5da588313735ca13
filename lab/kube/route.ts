/** Parses request paths into discovery requests or resource requests. */

export type Route =
  | { kind: 'version' | 'api' | 'apis' | 'health' | 'openapiV2' | 'openapiV3' }
  | { kind: 'openapiV3GroupVersion'; group: string; version: string }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'resource'; group: string; version: string; namespace?: string; plural: string; name?: string; subresource?: string; legacyWatch: boolean };

export function parseRoute(pathname: string): Route | undefined {
  const segs = pathname.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  if (segs[0] === 'version' && segs.length === 1) return { kind: 'version' };
  if (['healthz', 'readyz', 'livez'].includes(segs[0])) return { kind: 'health' };
  if (segs[0] === 'openapi') {
    if (segs[1] !== 'v3') return { kind: 'openapiV2' };
    if (segs.length === 2) return { kind: 'openapiV3' };
    if (segs[2] === 'api' && segs.length === 4) return { kind: 'openapiV3GroupVersion', group: '', version: segs[3] };
    if (segs[2] === 'apis' && segs.length === 5) return { kind: 'openapiV3GroupVersion', group: segs[3], version: segs[4] };
    return undefined;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { kind: 'api' };
    group = '';
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 1) return { kind: 'apis' };
    if (segs.length === 2) return { kind: 'group', group: segs[1] };
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  // namespaces/{ns}/{plural}/... is namespaced, except the namespace's own subresources.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && ['status', 'finalize'].includes(rest[2]))) {
    if (rest.length > 5) return undefined;
    return { kind: 'resource', group, version, namespace: rest[1], plural: rest[2], name: rest[3], subresource: rest[4], legacyWatch };
  }
  if (rest.length > 3) return undefined;
  return { kind: 'resource', group, version, plural: rest[0], name: rest[1], subresource: rest[2], legacyWatch };
}
