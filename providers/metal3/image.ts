import { InvalidConfigurationError } from '../../plugin/contract.js';
import { PROPERTY, propertyField, propertyOrigin } from './properties.js';

export type ChecksumType = 'md5' | 'sha256' | 'sha512' | 'auto';

/** What goes into BMH `spec.image`. */
export interface ImageSpec {
  url: string;
  checksum: string;
  checksumType?: ChecksumType;
  format?: string;
}

export interface OSImageLike {
  metadata: { name: string };
  spec?: { properties?: Record<string, string> };
}

/**
 * What Ironic deploys from, inside what BMO's webhook admits (http, https, ftp, gopher, oci): a `file://` URL
 * would be refused by the webhook on the claim write, so it is refused here, naming where it was set.
 */
const URL_SCHEMES = new Set(['http:', 'https:', 'oci:']);
const CHECKSUM_TYPES: readonly ChecksumType[] = ['md5', 'sha256', 'sha512', 'auto'];
const FORMATS = new Set(['raw', 'qcow2', 'vdi', 'vmdk', 'live-iso']);
const HEX_LENGTH: Record<Exclude<ChecksumType, 'auto'>, number> = { md5: 32, sha256: 64, sha512: 128 };

/**
 * The image for a claim. `vcluster.com/os-image` names an OSImage whose properties hold the image
 * (it wins over direct image properties); otherwise the merged image-url/checksum properties are
 * used. Without a checksum type the type is inferred from the hex length, because BMO would
 * otherwise assume md5. Errors name the object that set the bad value and its field.
 */
export async function resolveImage(
  props: Record<string, string>,
  origin: Record<string, string>,
  lookup: (name: string) => Promise<OSImageLike | undefined>,
): Promise<ImageSpec> {
  const osImageName = props[PROPERTY.osImage]?.trim();
  if (osImageName) {
    const osImage = await lookup(osImageName);
    if (!osImage) {
      throw new InvalidConfigurationError(
        propertyOrigin(origin, PROPERTY.osImage),
        propertyField(PROPERTY.osImage),
        `failed to get OSImage ${JSON.stringify(osImageName)}: not found`,
      );
    }
    const where = `OSImage ${osImage.metadata.name}`;
    const osProps = osImage.spec?.properties ?? {};
    return validateImage(osProps, () => where);
  }
  if (!props[PROPERTY.imageUrl]?.trim()) {
    throw new InvalidConfigurationError(
      'merged properties (NodeProvider, NodeType, NodeEnvironment, NodeClaim)',
      propertyField(PROPERTY.osImage),
      `no image: set ${PROPERTY.osImage} to an OSImage name, or ${PROPERTY.imageUrl} and ${PROPERTY.imageChecksum}`,
    );
  }
  return validateImage(props, (key) => propertyOrigin(origin, key));
}

function validateImage(props: Record<string, string>, objectOf: (key: string) => string): ImageSpec {
  const fail = (key: string, problem: string): never => {
    throw new InvalidConfigurationError(objectOf(key), propertyField(key), problem);
  };
  const url = props[PROPERTY.imageUrl]?.trim();
  if (!url) return fail(PROPERTY.imageUrl, 'is required');
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    return fail(PROPERTY.imageUrl, `${JSON.stringify(url)} is not a URL`);
  }
  if (!URL_SCHEMES.has(scheme)) return fail(PROPERTY.imageUrl, `scheme ${JSON.stringify(scheme)} is not one of http, https, oci (BMO's webhook refuses file:// images)`);

  const format = props[PROPERTY.imageFormat]?.trim() || undefined;
  if (format !== undefined && !FORMATS.has(format)) {
    return fail(PROPERTY.imageFormat, `${JSON.stringify(format)} is not one of ${[...FORMATS].join(', ')}`);
  }

  const typeText = props[PROPERTY.imageChecksumType]?.trim() || undefined;
  if (typeText !== undefined && !CHECKSUM_TYPES.includes(typeText as ChecksumType)) {
    return fail(PROPERTY.imageChecksumType, `${JSON.stringify(typeText)} is not one of ${CHECKSUM_TYPES.join(', ')}`);
  }
  let checksumType = typeText as ChecksumType | undefined;
  const checksum = props[PROPERTY.imageChecksum]?.trim() ?? '';

  // Metal3: OCI images carry their own digest and must have no checksum; live ISOs need none.
  if (scheme === 'oci:') {
    if (checksum) return fail(PROPERTY.imageChecksum, 'must be empty for oci:// images (Metal3 rejects a checksum there)');
    return { url, checksum: '', ...(format ? { format } : {}) };
  }
  if (!checksum) {
    if (format === 'live-iso') return { url, checksum: '', format };
    return fail(PROPERTY.imageChecksum, 'is required for a non-OCI image');
  }
  if (/^https?:\/\//.test(checksum)) {
    // A URL to a checksum file: Ironic fetches it, so only the type can be checked here.
    return { url, checksum, ...(checksumType ? { checksumType } : {}), ...(format ? { format } : {}) };
  }
  if (!/^[0-9a-fA-F]+$/.test(checksum)) return fail(PROPERTY.imageChecksum, 'must be hexadecimal digits or an http(s) URL of a checksum file');
  const inferred = (Object.keys(HEX_LENGTH) as (keyof typeof HEX_LENGTH)[]).find((t) => HEX_LENGTH[t] === checksum.length);
  if (checksumType === undefined || checksumType === 'auto') {
    if (!inferred) return fail(PROPERTY.imageChecksum, `has ${checksum.length} hex digits; expected 32 (md5), 64 (sha256) or 128 (sha512)`);
    checksumType = checksumType ?? inferred;
  } else if (HEX_LENGTH[checksumType] !== checksum.length) {
    return fail(PROPERTY.imageChecksum, `has ${checksum.length} hex digits but ${checksumType} needs ${HEX_LENGTH[checksumType]}`);
  }
  return { url, checksum, checksumType, ...(format ? { format } : {}) };
}
