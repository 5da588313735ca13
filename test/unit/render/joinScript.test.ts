import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { TemplateRenderer } from '../../../providers/metal3/render/index.js';
import { requireTool } from '../../support/externalTools.js';
import { userDataInput } from './fixtures.js';

const TOKEN = 'abcdef.0123456789abcdef';

/** Runs the rendered join script for real with bash and curl against a local HTTPS join endpoint. */
describe('join script against a real HTTPS endpoint', () => {
  let dir: string;
  let server: Server;
  let endpoint: string;
  let caPem: string;
  let otherCaPem: string;
  const requests: string[] = [];
  let reply: { status: number; body: string } = { status: 200, body: '' };

  function makeCa(name: string): { key: string; cert: string } {
    const key = path.join(dir, `${name}.key`);
    const cert = path.join(dir, `${name}.crt`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key, cert };
  }

  beforeAll(async () => {
    requireTool('openssl', 'openssl');
    requireTool('curl', 'curl');
    dir = mkdtempSync(path.join(tmpdir(), 'metal3-join-'));
    const tenant = makeCa('tenant');
    caPem = readFileSync(tenant.cert, 'utf8');
    otherCaPem = readFileSync(makeCa('other').cert, 'utf8');
    server = createServer({ key: readFileSync(tenant.key), cert: readFileSync(tenant.cert) }, (req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(reply.status, { 'content-type': 'text/plain' });
      res.end(reply.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Renders user data, extracts the script and points its fixed paths into the scratch dir. */
  function scriptFor(trustedCa: string, name: string): string {
    const text = new TemplateRenderer().renderUserData(userDataInput({ join: { endpoint, caCertPem: caPem, caCertHash: 'sha256:00', token: TOKEN } }));
    const doc = parse(text) as { write_files: { path: string; content: string }[] };
    const caFile = path.join(dir, `${name}-ca.crt`);
    writeFileSync(caFile, trustedCa);
    const script = doc.write_files.find((f) => f.path === '/usr/local/sbin/vcluster-join.sh')!.content
      .replace("ca='/etc/vcluster/tenant-ca.crt'", `ca='${caFile}'`)
      .replaceAll('/run/', `${dir}/`)
      .replace('--retry 10 --retry-delay 5', '--retry 0 --retry-delay 0');
    const file = path.join(dir, `${name}.sh`);
    writeFileSync(file, script, { mode: 0o700 });
    return file;
  }

  function run(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile('bash', [file], { timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  it('downloads the bootstrap script with TLS verified against the tenant CA and runs it', async () => {
    const marker = path.join(dir, 'joined');
    reply = { status: 200, body: `#!/bin/bash\necho joined > '${marker}'\n` };
    requests.length = 0;
    const result = await run(scriptFor(caPem, 'ok'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('joined\n');
    expect(requests).toEqual([`/node/join?token=${TOKEN}`]);
  });

  it('refuses an endpoint whose certificate the tenant CA did not sign (no -k)', async () => {
    const marker = path.join(dir, 'joined-untrusted');
    reply = { status: 200, body: `#!/bin/bash\necho joined > '${marker}'\n` };
    const result = await run(scriptFor(otherCaPem, 'untrusted'));
    expect(result.code).not.toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(result.stderr).toMatch(/downloading the join script from https:\/\/127\.0\.0\.1:\d+ failed/);
  });

  it('prints the server explanation on an HTTP error, never the token', async () => {
    reply = { status: 400, body: 'token expired' };
    const result = await run(scriptFor(caPem, 'expired'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP status 400');
    expect(result.stderr).toContain('token expired');
    expect(result.stderr + result.stdout).not.toContain(TOKEN);
  });

  it('fails on an empty bootstrap script', async () => {
    reply = { status: 200, body: '' };
    const result = await run(scriptFor(caPem, 'empty'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/is empty/);
  });
});
