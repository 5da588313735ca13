/** The real kubectl against the emulator: discovery, apply (client- and server-side), get, watch, patch, label, delete. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { postRaw, widgetCrd } from './helpers.js';
import { waitFor } from '../../support/waitFor.js';

const run = promisify(execFile);

function findKubectl(): string | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return 'kubectl';
  } catch {
    return undefined;
  }
}

const kubectlBin = findKubectl();
if (!kubectlBin) {
  console.warn('kubectl is not on PATH: the kubectl suite registers no tests on this machine.');
} else {
  describe('kubectl against the emulator', () => {
    let server: KubeApiServer;
    let dir: string;
    const children: ReturnType<typeof spawn>[] = [];
    const args = (a: string[]) => ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache'), '--request-timeout', '10s', ...a];
    const kubectl = async (...a: string[]) => (await run(kubectlBin, args(a))).stdout;
    const file = async (name: string, text: string) => {
      const p = path.join(dir, name);
      await writeFile(p, text);
      return p;
    };

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-lab-'));
      server = await startKubeApi({ loadDefaultCrds: false });
      await server.writeKubeconfig(path.join(dir, 'kubeconfig'));
      await postRaw(server, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCrd);
    });
    afterAll(async () => {
      for (const c of children) c.kill();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('lists api-resources with short names, including CRDs', async () => {
      const out = await kubectl('api-resources');
      expect(out).toMatch(/^widgets\s+wd\s+example\.com\/v1\s+true\s+Widget$/m);
      expect(out).toMatch(/^secrets\s+v1\s+true\s+Secret$/m);
    });

    it('applies client-side and shows printer columns', async () => {
      const p = await file('w1.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3, parts: [{name: first}]}\n');
      expect(await kubectl('apply', '-f', p)).toContain('widget.example.com/w1 created');
      const table = await kubectl('get', 'wd');
      expect(table.split('\n')[0]).toMatch(/^NAME\s+SIZE\s+STATE\s+FIRST\s+AGE$/);
      expect(table).toMatch(/^w1\s+3\s+first\s+\d+s$/m);
      await writeFile(p, 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 4}\n');
      expect(await kubectl('apply', '-f', p)).toContain('widget.example.com/w1 configured');
      expect(await kubectl('get', 'wd', 'w1', '-o', 'jsonpath={.spec.size}')).toBe('4');
    });

    it('applies server-side and prints -o yaml', async () => {
      const p = await file('w2.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 5}\n');
      expect(await kubectl('apply', '--server-side', '-f', p)).toContain('serverside-applied');
      const yaml = await kubectl('get', 'widget', 'w2', '-o', 'yaml');
      expect(yaml).toContain('kind: Widget');
      expect(yaml).toContain('size: 5');
      expect(yaml).toMatch(/resourceVersion: "\d+"/);
    });

    it('honours server-side dry runs and kubectl diff', async () => {
      const p = await file('dry.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: dry}\nspec: {size: 9}\n');
      expect(await kubectl('apply', '--dry-run=server', '-f', p)).toContain('(server dry run)');
      expect(await kubectl('get', 'wd', 'dry', '--ignore-not-found')).toBe('');
      const p2 = await file('w2diff.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 8}\n');
      const diff = await run(kubectlBin, args(['diff', '--server-side', '--force-conflicts', '-f', p2])).then(() => '', (e: { code: number; stdout: string }) => (e.code === 1 ? e.stdout : Promise.reject(e)));
      expect(diff).toMatch(/^-\s+size: 5$/m);
      expect(diff).toMatch(/^\+\s+size: 8$/m);
      expect(await kubectl('get', 'wd', 'w2', '-o', 'jsonpath={.spec.size}')).toBe('5');
    });

    it('patches with --type merge and labels', async () => {
      expect(await kubectl('patch', 'wd', 'w2', '--type', 'merge', '-p', '{"spec":{"size":6}}')).toContain('patched');
      expect(await kubectl('label', 'wd', 'w2', 'tier=gpu')).toContain('labeled');
      expect(await kubectl('get', 'wd', '-l', 'tier=gpu', '-o', 'name')).toBe('widget.example.com/w2\n');
    });

    it('streams changes with get -w', async () => {
      const child = spawn(kubectlBin, args(['get', 'wd', '-w', '--no-headers']));
      children.push(child);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await waitFor(() => /^w2\s+6/m.test(out), { what: 'initial rows', timeoutMs: 10000 });
      await kubectl('patch', 'wd', 'w2', '--type', 'merge', '-p', '{"spec":{"size":7}}');
      await waitFor(() => /^w2\s+7/m.test(out), { what: 'watched change', timeoutMs: 10000 });
      child.kill();
    });

    it('deletes an object with finalizers only once the finalizer is removed', async () => {
      const p = await file('w3.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w3, finalizers: [example.com/hold]}\nspec: {size: 1}\n');
      await kubectl('apply', '-f', p);
      expect(await kubectl('delete', 'wd', 'w3', '--wait=false')).toContain('deleted');
      expect(await kubectl('get', 'wd', 'w3', '-o', 'jsonpath={.metadata.deletionTimestamp}')).toMatch(/^\d{4}-/);
      await kubectl('patch', 'wd', 'w3', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]');
      expect(await kubectl('get', 'wd', 'w3', '--ignore-not-found')).toBe('');
    });

    it('creates namespaces, secrets and configmaps with kubectl create (protobuf bodies)', async () => {
      expect(await kubectl('create', 'namespace', 'demo')).toContain('namespace/demo created');
      await kubectl('create', 'secret', 'generic', 'bmc', '-n', 'demo', '--from-literal=username=admin', '--from-literal=password=s3cret');
      expect(await kubectl('get', 'secret', 'bmc', '-n', 'demo', '-o', 'jsonpath={.data.password}')).toBe(Buffer.from('s3cret').toString('base64'));
      await kubectl('create', 'configmap', 'cfg', '-n', 'demo', '--from-literal=a=b');
      expect(await kubectl('get', 'configmap', 'cfg', '-n', 'demo', '-o', 'jsonpath={.data.a}')).toBe('b');
      expect(await kubectl('get', 'secrets', '-A')).toMatch(/^demo\s+bmc\s+Opaque\s+2\s+\d+s$/m);
    });

    it('prints built-in tables (namespaces, secrets) from applied manifests', async () => {
      const p = await file('s.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: s1}\nstringData: {a: b, c: d}\n');
      await kubectl('apply', '-f', p);
      expect(await kubectl('get', 'secrets')).toMatch(/^s1\s+Opaque\s+2\s+\d+s$/m);
      await writeFile(p, 'apiVersion: v1\nkind: Secret\nmetadata: {name: s1, labels: {x: z}}\nstringData: {a: changed}\n');
      expect(await kubectl('apply', '-f', p)).toContain('secret/s1 configured');
      expect(await kubectl('get', 'secret', 's1', '-o', 'jsonpath={.data.a} {.metadata.labels.x}')).toBe(`${Buffer.from('changed').toString('base64')} z`);
      expect(await kubectl('get', 'ns')).toMatch(/^default\s+Active\s+\d+s$/m);
    });
  });
}
