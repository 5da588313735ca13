/**
 * The real kubectl reads the lab's OpenAPI as it reads a real cluster's: `kubectl explain` walks the v3
 * components.schemas (upstream's BareMetalHost descriptions), client-side validation downloads /openapi/v2
 * (protobuf) and leaves unknown kinds to the REST mapping, strict field validation refuses unknown fields of
 * custom and built-in kinds, and the upstream Metal3 examples apply as they would to a cluster running BMO.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startKubeApi, upstreamMetal3CrdDir, type KubeApiServer } from '../../../lab/kube/index.js';
import { apiFetch } from '../../support/apiFetch.js';

const EXAMPLES = path.join(path.dirname(upstreamMetal3CrdDir() ?? '.'), 'examples');

interface Run { code: number; stdout: string; stderr: string }

describe('kubectl reads the lab\'s OpenAPI like a real cluster\'s', () => {
  let api: KubeApiServer;
  let dir: string;

  /** kubectl with stdin closed (</dev/null), never interactive; resolves with its exit code. */
  const kubectl = (...args: string[]) => new Promise<Run>((resolve) => {
    const child = execFile('kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache'), '--request-timeout', '10s', ...args],
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
    child.stdin?.end();
  });
  const file = async (name: string, text: string) => {
    const p = path.join(dir, name);
    await writeFile(p, text);
    return p;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-openapi-'));
    api = await startKubeApi({ port: 0 });
    await api.writeKubeconfig(path.join(dir, 'kubeconfig'));
  });
  afterAll(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('explains bmh.spec.online with BMO\'s description', async () => {
    const out = await kubectl('explain', 'bmh.spec.online');
    expect(out).toMatchObject({ code: 0 });
    expect(out.stdout).toMatch(/KIND:\s+BareMetalHost\nVERSION:\s+v1alpha1\n\nFIELD: online <boolean>/);
    expect(out.stdout).toContain('Should the host be powered on?');
  });

  it('explains nested and referenced fields: BMH metadata (ObjectMeta) and a built-in kind', async () => {
    expect((await kubectl('explain', 'bmh.metadata.labels')).stdout).toContain('FIELD: labels <map[string]string>');
    expect((await kubectl('explain', 'bmh.spec.bmc')).stdout).toMatch(/address\t<string> -required-/);
    expect((await kubectl('explain', 'secret.data')).stdout).toContain('FIELD: data <map[string]string>');
  });

  it('serves /openapi/v2 as protobuf to kubectl and as JSON with the GVK of each definition', async () => {
    const res = await apiFetch(api, '/openapi/v2');
    const doc = (await res.json()) as { swagger: string; definitions: Record<string, { 'x-kubernetes-group-version-kind'?: object[] }> };
    expect(doc.swagger).toBe('2.0');
    expect(doc.definitions['io.metal3.v1alpha1.BareMetalHost']?.['x-kubernetes-group-version-kind']).toEqual([{ group: 'metal3.io', kind: 'BareMetalHost', version: 'v1alpha1' }]);
    expect(doc.definitions['io.k8s.api.core.v1.Secret']?.['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Secret', version: 'v1' }]);
    const pb = await apiFetch(api, '/openapi/v2', { headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    expect(pb.headers.get('content-type')).toBe('application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  });

  it('refuses a file with an unknown kind at the REST mapping, as against a real cluster', async () => {
    const out = await kubectl('apply', '-f', await file('foo.yaml', 'apiVersion: example.com/v1\nkind: Foo\nmetadata: {name: x}\n'));
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('no matches for kind "Foo" in version "example.com/v1"');
    expect(out.stderr).not.toContain('error validating');
  });

  it('refuses an unknown field of a built-in kind server-side (strict decoding)', async () => {
    const out = await kubectl('apply', '-f', await file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-strict}\ndata: {k: v}\nfoo: bar\n'));
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('Error from server (BadRequest): error when creating');
    expect(out.stderr).toContain('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "foo"');
  });

  describe('the upstream Metal3 examples', () => {
    const apply = async (namespace: string, example: string) => {
      await kubectl('create', 'namespace', namespace);
      return kubectl('apply', '-n', namespace, '-f', path.join(EXAMPLES, example));
    };

    it.each([
      ['ex-host', 'example-host.yaml', ['secret/example-baremetalhost-secret created', 'baremetalhost.metal3.io/example-baremetalhost created']],
      ['ex-bad-credentials', 'example-host-bad-credentials.yaml', ['baremetalhost.metal3.io/example-baremetalhost created']],
      ['openshift-machine-api', 'worker-0.yaml', ['baremetalhost.metal3.io/worker-0 created']],
      ['ex-capm3', 'capm3-metal3plane-hosts.yaml', ['baremetalhost.metal3.io/metal3-0 created', 'baremetalhost.metal3.io/metal3-9 created']],
    ])('apply cleanly into %s: %s', async (namespace, example, created) => {
      const out = await apply(namespace, example);
      expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
      for (const line of created) expect(out.stdout).toContain(line);
    });

    it('demo-hosts.yaml applies into openshift-machine-api except its OpenShift Machine, whose kind is not installed', async () => {
      const out = await apply('openshift-machine-api', 'demo-hosts.yaml');
      expect(out.stdout).toContain('baremetalhost.metal3.io/demo-provisioned created');
      expect(out.stdout.match(/baremetalhost\.metal3\.io\/\S+ created/g)).toHaveLength(9);
      expect(out.stderr.trim().split('\n')[0]).toContain('no matches for kind "Machine" in version "machine.openshift.io/v1beta1"');
      expect(out.stderr).not.toContain('denied the request');
    });

    it('config/samples is refused like a real cluster: the unknown spec.foo strictly, then the missing spec.online', async () => {
      await kubectl('create', 'namespace', 'ex-sample');
      const strict = await kubectl('apply', '-n', 'ex-sample', '-f', path.join(EXAMPLES, 'metal3.io_v1alpha1_baremetalhost.yaml'));
      expect(strict.stderr).toContain('BareMetalHost in version "v1alpha1" cannot be handled as a BareMetalHost: strict decoding error: unknown field "spec.foo"');
      const lax = await kubectl('apply', '--validate=false', '-n', 'ex-sample', '-f', path.join(EXAMPLES, 'metal3.io_v1alpha1_baremetalhost.yaml'));
      expect(lax.stderr).toMatch(/is invalid: spec\.online: Required value/);
    });
  });
});
