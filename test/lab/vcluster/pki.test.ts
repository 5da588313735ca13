import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { createPki } from '../../../lab/pki.js';

const run = promisify(execFile);

describe('tenant PKI', () => {
  it('computes caCertHash exactly as openssl does (kubeadm recipe)', async () => {
    const pki = await createPki('hash-check');
    const dir = await mkdtemp(join(tmpdir(), 'pki-test-'));
    try {
      await writeFile(join(dir, 'ca.crt'), pki.caCertPem);
      const { stdout } = await run('bash', ['-c',
        'openssl x509 -pubkey -noout -in "$1" | openssl pkey -pubin -outform der | openssl dgst -sha256 -hex | sed "s/^.* //"',
        'hash', join(dir, 'ca.crt')]);
      expect(pki.caCertHash).toBe(`sha256:${stdout.trim()}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('issues a server certificate for 127.0.0.1 and localhost signed by the CA', async () => {
    const pki = await createPki('sans');
    const ca = new X509Certificate(pki.caCertPem);
    const server = new X509Certificate(pki.serverCertPem);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('localhost')).toBe('localhost');
  });
});
