/**
 * The lab's one PKI helper, made with the real `openssl` binary: an EC P-256 CA and a server
 * certificate signed by it (SANs IP:127.0.0.1, DNS:localhost and any extra ones). The management API
 * and every tenant (API and join endpoint) get their own. Keys never leave the returned object.
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LabPki {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** `sha256:<hex>` of the CA's DER SubjectPublicKeyInfo (kubeadm's discovery-token-ca-cert-hash). */
  caCertHash: string;
}

/** Creates a fresh CA and a server certificate signed by it; `commonName` names the server (a tenant, `lab`). */
export async function createPki(commonName: string, extraSans: string[] = []): Promise<LabPki> {
  const dir = await mkdtemp(join(tmpdir(), 'tenant-pki-'));
  const path = (name: string) => join(dir, name);
  try {
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path('ca.key')]);
    await run('openssl', [
      'req', '-x509', '-new', '-key', path('ca.key'), '-sha256', '-days', '3650',
      '-subj', `/CN=${commonName}-ca`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-out', path('ca.crt'),
    ]);
    await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path('server.key')]);
    await run('openssl', ['req', '-new', '-key', path('server.key'), '-subj', `/CN=${commonName}`, '-out', path('server.csr')]);
    await writeFile(path('server.ext'), [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${['IP:127.0.0.1', 'DNS:localhost', ...extraSans].join(',')}`,
      '',
    ].join('\n'));
    await run('openssl', [
      'x509', '-req', '-in', path('server.csr'), '-CA', path('ca.crt'), '-CAkey', path('ca.key'),
      '-CAcreateserial', '-days', '825', '-sha256', '-extfile', path('server.ext'), '-out', path('server.crt'),
    ]);
    const [caCertPem, serverCertPem, serverKeyPem] = await Promise.all(
      ['ca.crt', 'server.crt', 'server.key'].map((name) => readFile(path(name), 'utf8')),
    );
    return { caCertPem, serverCertPem, serverKeyPem, caCertHash: caPublicKeyHash(caCertPem) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** kubeadm's CA pin: SHA-256 over the DER-encoded SubjectPublicKeyInfo of the certificate. */
export function caPublicKeyHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}
