/**
 * Property keys the Metal3 provider understands, and the merge of the layers that set them.
 * Precedence (lowest first): NodeProvider < NodeType < NodeEnvironment < NodeClaim.
 */
export const PROPERTY = {
  osImage: 'vcluster.com/os-image',
  imageUrl: 'metal3.vcluster.com/image-url',
  imageChecksum: 'metal3.vcluster.com/image-checksum',
  imageChecksumType: 'metal3.vcluster.com/image-checksum-type',
  /** Optional disk format (`raw|qcow2|vdi|vmdk|live-iso`); not in the vCluster docs, maps to BMH `spec.image.format`. */
  imageFormat: 'metal3.vcluster.com/image-format',
  networkCidr: 'metal3.vcluster.com/network-cidr',
  networkIpRange: 'metal3.vcluster.com/network-ip-range',
  dnsServers: 'metal3.vcluster.com/dns-servers',
  networkData: 'metal3.vcluster.com/network-data',
  networkEnvironment: 'vcluster.com/network-environment',
  serverName: 'metal3.vcluster.com/server-name',
  sshKeys: 'vcluster.com/ssh-keys',
  userData: 'vcluster.com/user-data',
  ntpServers: 'metal3.vcluster.com/ntp-servers',
} as const;

export interface PropertyLayer {
  /** Who set these properties, for error messages, e.g. `NodeProvider metal3-provider`. */
  source: string;
  properties?: Record<string, string>;
}

export interface MergedProperties {
  properties: Record<string, string>;
  /** Per key, the `source` of the layer whose value won. */
  origin: Record<string, string>;
}

/** Merges layers given lowest precedence first; a later layer's value wins, key by key. */
export function mergeProperties(layers: PropertyLayer[]): MergedProperties {
  const properties: Record<string, string> = {};
  const origin: Record<string, string> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.properties ?? {})) {
      if (typeof value !== 'string') continue;
      properties[key] = value;
      origin[key] = layer.source;
    }
  }
  return { properties, origin };
}

/**
 * The NodeEnvironment to merge: the `vcluster.com/network-environment` property (from the
 * provider/type/claim merge) overrides the claim's `spec.environmentRef`.
 */
export function environmentName(mergedWithoutEnv: Record<string, string>, environmentRef?: string): string | undefined {
  const fromProperty = mergedWithoutEnv[PROPERTY.networkEnvironment]?.trim();
  if (fromProperty) return fromProperty;
  const fromRef = environmentRef?.trim();
  return fromRef ? fromRef : undefined;
}

/** `spec.properties["<key>"]`: the field name used in errors about a property. */
export function propertyField(key: string): string {
  return `spec.properties[${JSON.stringify(key)}]`;
}

/** The object that set `key`, or a fallback when nobody did (e.g. a missing required property). */
export function propertyOrigin(origin: Record<string, string>, key: string, fallback = 'merged properties'): string {
  return origin[key] ?? fallback;
}
