import { describe, expect, it } from '@jest/globals';
import { resolveImage, type OSImageLike } from '../../providers/metal3/image.js';
import { PROPERTY } from '../../providers/metal3/properties.js';
import { expectRejectsWith } from '../support/expectations.js';

const SHA256 = 'a'.repeat(64);
const MD5 = 'b'.repeat(32);
const SHA512 = 'c'.repeat(128);

const osImages: Record<string, OSImageLike> = {
  'ubuntu-noble': {
    metadata: { name: 'ubuntu-noble' },
    spec: { properties: { [PROPERTY.imageUrl]: 'https://images.example/noble.qcow2', [PROPERTY.imageChecksum]: SHA256, [PROPERTY.imageChecksumType]: 'sha256' } },
  },
  broken: { metadata: { name: 'broken' }, spec: { properties: { [PROPERTY.imageUrl]: 'ftp://x/y.img', [PROPERTY.imageChecksum]: MD5 } } },
  local: { metadata: { name: 'local' }, spec: { properties: { [PROPERTY.imageUrl]: 'file:///srv/images/noble.raw', [PROPERTY.imageChecksum]: MD5 } } },
  empty: { metadata: { name: 'empty' } },
};
const lookup = async (name: string) => osImages[name];
const CLAIM = 'NodeClaim p-a/claim-1';

interface Given { url?: string; checksum?: string; type?: string; format?: string }

/** Direct image properties, all set by the claim. */
function direct(props: Record<string, string>) {
  return [props, Object.fromEntries(Object.keys(props).map((k) => [k, CLAIM]))] as const;
}

describe('resolveImage', () => {
  it('resolves an OSImage by name', async () => {
    const [props, origin] = direct({ [PROPERTY.osImage]: 'ubuntu-noble' });
    await expect(resolveImage(props, origin, lookup)).resolves.toEqual({
      url: 'https://images.example/noble.qcow2', checksum: SHA256, checksumType: 'sha256',
    });
  });

  it('prefers the OSImage over direct image properties', async () => {
    const [props, origin] = direct({ [PROPERTY.osImage]: 'ubuntu-noble', [PROPERTY.imageUrl]: 'http://other/x.img', [PROPERTY.imageChecksum]: MD5 });
    await expect(resolveImage(props, origin, lookup)).resolves.toMatchObject({ url: 'https://images.example/noble.qcow2' });
  });

  it('fails with "failed to get OSImage" naming who set the property', async () => {
    const err = await expectRejectsWith(resolveImage({ [PROPERTY.osImage]: 'nope' }, { [PROPERTY.osImage]: 'NodeType gpu' }, lookup), 'InvalidConfiguration');
    expect(err.message).toBe('NodeType gpu: spec.properties["vcluster.com/os-image"]: failed to get OSImage "nope": not found');
  });

  it('blames the OSImage for its own bad properties', async () => {
    const err = await expectRejectsWith(resolveImage({ [PROPERTY.osImage]: 'broken' }, {}, lookup), 'InvalidConfiguration', { object: 'OSImage broken', field: 'spec.properties["metal3.vcluster.com/image-url"]' });
    expect(err.message).toMatch(/scheme "ftp:" is not one of http, https, oci/);
    const empty = await expectRejectsWith(resolveImage({ [PROPERTY.osImage]: 'empty' }, {}, lookup), 'InvalidConfiguration');
    expect(empty.message).toBe('OSImage empty: spec.properties["metal3.vcluster.com/image-url"]: is required');
  });

  it('refuses an OSImage with a file:// URL, naming the OSImage and the property, before BMO\'s webhook would', async () => {
    const err = await expectRejectsWith(resolveImage({ [PROPERTY.osImage]: 'local' }, {}, lookup), 'InvalidConfiguration');
    expect(err.message).toBe('OSImage local: spec.properties["metal3.vcluster.com/image-url"]: scheme "file:" is not one of http, https, oci (BMO\'s webhook refuses file:// images)');
  });

  it('asks for an image when none is configured', async () => {
    const err = await expectRejectsWith(resolveImage({}, {}, lookup), 'InvalidConfiguration');
    expect(err.message).toMatch(/no image: set vcluster.com\/os-image/);
  });

  it.each<[Given, object]>([
    [{ checksum: MD5 }, { checksumType: 'md5' }],
    [{ checksum: SHA256 }, { checksumType: 'sha256' }],
    [{ checksum: SHA512 }, { checksumType: 'sha512' }],
    [{ checksum: SHA256, type: 'auto' }, { checksumType: 'auto' }],
    [{ checksum: SHA512, type: 'sha512' }, { checksumType: 'sha512' }],
    [{ checksum: 'https://images.example/SHA256SUMS', type: 'sha256' }, { checksum: 'https://images.example/SHA256SUMS', checksumType: 'sha256' }],
    [{ url: 'oci://registry.example/os/noble:24.04', checksum: '' }, { url: 'oci://registry.example/os/noble:24.04', checksum: '' }],
    [{ checksum: '', format: 'live-iso' }, { format: 'live-iso', checksum: '' }],
  ])('valid %j -> %j', async (given, expected) => {
    const [props, origin] = direct({
      [PROPERTY.imageUrl]: given.url ?? 'http://10.0.0.2/noble.qcow2',
      [PROPERTY.imageChecksum]: given.checksum ?? '',
      ...(given.type !== undefined ? { [PROPERTY.imageChecksumType]: given.type } : {}),
      ...(given.format !== undefined ? { [PROPERTY.imageFormat]: given.format } : {}),
    });
    await expect(resolveImage(props, origin, lookup)).resolves.toMatchObject(expected);
  });

  it.each<[Given, string, RegExp]>([
    [{ url: 'not a url' }, PROPERTY.imageUrl, /is not a URL/],
    [{ url: 'ftp://x/y' }, PROPERTY.imageUrl, /scheme "ftp:"/],
    [{ url: 'file:///srv/images/noble.raw' }, PROPERTY.imageUrl, /scheme "file:" is not one of http, https, oci \(BMO's webhook refuses file:\/\/ images\)/],
    [{ checksum: '' }, PROPERTY.imageChecksum, /is required for a non-OCI image/],
    [{ checksum: 'zz'.repeat(16) }, PROPERTY.imageChecksum, /hexadecimal/],
    [{ checksum: 'a'.repeat(40) }, PROPERTY.imageChecksum, /has 40 hex digits; expected 32 \(md5\), 64 \(sha256\) or 128 \(sha512\)/],
    [{ checksum: MD5, type: 'sha256' }, PROPERTY.imageChecksum, /has 32 hex digits but sha256 needs 64/],
    [{ checksum: SHA256, type: 'sha1' }, PROPERTY.imageChecksumType, /"sha1" is not one of md5, sha256, sha512, auto/],
    [{ checksum: SHA256, format: 'iso' }, PROPERTY.imageFormat, /"iso" is not one of raw, qcow2/],
    [{ url: 'oci://r/x:1', checksum: SHA256 }, PROPERTY.imageChecksum, /must be empty for oci:\/\/ images/],
  ])('invalid %j', async (given, key, message) => {
    const props = {
      [PROPERTY.imageUrl]: given.url ?? 'https://images.example/x.img',
      [PROPERTY.imageChecksum]: given.checksum ?? SHA256,
      ...(given.type !== undefined ? { [PROPERTY.imageChecksumType]: given.type } : {}),
      ...(given.format !== undefined ? { [PROPERTY.imageFormat]: given.format } : {}),
    };
    const origin = Object.fromEntries(Object.keys(props).map((k) => [k, k === key ? 'NodeType gpu' : CLAIM]));
    const err = await expectRejectsWith(resolveImage(props, origin, lookup), 'InvalidConfiguration', { object: 'NodeType gpu', field: `spec.properties[${JSON.stringify(key)}]` });
    expect(err.message).toMatch(message);
  });
});
