/**
 * What BMO/Ironic check before deploying an image, with their error wording: image checksum rules, the user /
 * network / meta data Secrets, and root device hints against the inspected disks. Messages never include Secret data.
 */
import type { BareMetalHost, RootDeviceHints, SecretReference, Storage } from './types.js';

/** Reads a Secret's data keys (decoded) or undefined when it does not exist. */
export type SecretReader =
  (namespace: string, name: string) => Promise<{ data: Record<string, string>; resourceVersion?: string } | undefined>;

const CHECKSUM_TYPES = ['md5', 'sha256', 'sha512', 'auto'];

export function checkImage(host: BareMetalHost): string | undefined {
  const image = host.spec.image;
  if (!image || host.spec.customDeploy?.method) return undefined;
  if (!image.url) return 'Image URL is empty';
  const liveIso = image.format === 'live-iso';
  const oci = image.url.startsWith('oci://');
  if (image.checksumType && !CHECKSUM_TYPES.includes(image.checksumType)) {
    return `Unknown checksumType "${image.checksumType}" in spec.image; expected one of ${CHECKSUM_TYPES.join(', ')}`;
  }
  if (!image.checksum && !liveIso && !oci) {
    return 'Image checksum is required in spec.image.checksum unless the image format is live-iso';
  }
  return undefined;
}

async function checkDataSecret(
  host: BareMetalHost, field: 'userData' | 'networkData' | 'metaData', read: SecretReader,
): Promise<string | undefined> {
  const ref: SecretReference | undefined = host.spec[field];
  if (!ref?.name) return undefined;
  const namespace = ref.namespace || host.metadata.namespace || 'default';
  const secret = await read(namespace, ref.name);
  if (!secret) return `Secret "${namespace}/${ref.name}" referenced by spec.${field} not found`;
  if (!(field in secret.data)) return `Secret "${namespace}/${ref.name}" referenced by spec.${field} has no key "${field}"`;
  return undefined;
}

export async function checkDataSecrets(host: BareMetalHost, read: SecretReader): Promise<string | undefined> {
  for (const field of ['userData', 'networkData', 'metaData'] as const) {
    const problem = await checkDataSecret(host, field, read);
    if (problem) return problem;
  }
  return undefined;
}

function diskMatches(disk: Storage, hints: RootDeviceHints): boolean {
  if (hints.deviceName && disk.name !== hints.deviceName && !disk.alternateNames?.includes(hints.deviceName)) return false;
  if (hints.serialNumber && disk.serialNumber !== hints.serialNumber) return false;
  if (hints.wwn && disk.wwn !== hints.wwn) return false;
  if (hints.hctl && disk.hctl !== hints.hctl) return false;
  if (hints.model && !disk.model?.includes(hints.model)) return false;
  if (hints.vendor && !disk.vendor?.includes(hints.vendor)) return false;
  if (hints.rotational !== undefined && Boolean(disk.rotational) !== hints.rotational) return false;
  if (hints.minSizeGigabytes !== undefined && disk.sizeBytes < hints.minSizeGigabytes * 1e9) return false;
  return true;
}

/** Ironic's "No suitable device found for hints" when no inspected disk matches spec.rootDeviceHints. */
export function checkRootDeviceHints(host: BareMetalHost): string | undefined {
  const hints = host.spec.rootDeviceHints;
  const disks = host.status?.hardware?.storage;
  if (!hints || Object.keys(hints).length === 0 || !disks) return undefined;
  if (disks.some((d) => diskMatches(d, hints))) return undefined;
  return `No suitable device found for hints ${JSON.stringify(hints)}`;
}
