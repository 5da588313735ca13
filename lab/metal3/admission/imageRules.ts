/** `spec.image` as BMO's webhook checks it: the URL (Go's `url.ParseRequestURI`, allowed schemes) and the checksum. */
import type { BmhImage } from '../types.js';

/** The image URL schemes BMO accepts (webhooks `validateURL`). */
export const IMAGE_URL_SCHEMES: readonly string[] = ['http', 'https', 'ftp', 'gopher', 'oci'];

const CHECKSUM_TYPES = ['md5', 'sha256', 'sha512'];

/** Go's `url.ParseRequestURI` errors for the inputs it refuses (the ones an image URL can hit). */
function parseRequestUriError(input: string): string | undefined {
  const fail = (why: string) => `parse ${JSON.stringify(input)}: ${why}`;
  if (input === '') return fail('empty url');
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(input)) return fail('net/url: invalid control character in URL');
  if (input.startsWith(':')) return fail('missing protocol scheme');
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.exec(input)?.[0];
  if (!scheme && !input.startsWith('/')) return fail('invalid URI for request');
  const rest = scheme ? input.slice(scheme.length) : input;
  if (rest.startsWith('//')) {
    const hostport = rest.slice(2).split(/[/?#]/)[0]!.split('@').pop()!;
    const port = hostport.startsWith('[') ? hostport.slice(hostport.indexOf(']') + 1) : hostport.slice(Math.max(0, hostport.lastIndexOf(':')));
    if (port.startsWith(':') && !/^:\d*$/.test(port)) return fail(`invalid port ${JSON.stringify(port)} after host`);
  }
  return undefined;
}

function urlError(url: string): string | undefined {
  const parseError = parseRequestUriError(url);
  if (parseError) return parseError;
  const scheme = (/^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1] ?? '').toLowerCase();
  if (!IMAGE_URL_SCHEMES.includes(scheme)) return `invalid scheme in URL, "${scheme}" not allowed`;
  return undefined;
}

/** `Image.GetChecksum`'s refusals. */
function checksumError(image: BmhImage): string | undefined {
  if (image.url?.toLowerCase().startsWith('oci://')) {
    return image.checksum ? 'spec.image.checksum must be empty for OCI images (oci:// images have embedded checksums)' : undefined;
  }
  if (image.format === 'live-iso') return undefined;
  if (!image.checksum) return 'checksum is required for normal images';
  const type = image.checksumType ?? '';
  if (type !== '' && type !== 'auto' && !CHECKSUM_TYPES.includes(type)) {
    return `unknown checksumType ${type}, supported are auto, ${CHECKSUM_TYPES.join(', ')}`;
  }
  return undefined;
}

export function imageErrors(image: BmhImage | undefined): string[] {
  if (!image) return [];
  const errs: string[] = [];
  const bad = urlError(image.url ?? '');
  if (bad) errs.push(`image URL ${image.url ?? ''} is invalid: ${bad}`);
  const checksum = checksumError(image);
  if (checksum) errs.push(checksum);
  return errs;
}
