import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseArgs, runApiOnly } from '../../../lab/cli.js';
import type { KubeApiServer } from '../../../lab/kube/index.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

describe('lab cli', () => {
  it('parses lab --dir --api-only --port and rejects a bad port', () => {
    expect(parseArgs(['lab', '--dir', 'd', '--api-only', '--port', '0'])).toMatchObject({ command: 'lab', dir: 'd', apiOnly: true, port: 0 });
    expect(() => parseArgs(['lab', '--port', 'x'])).toThrow('--port: expected an integer 0..65535, got "x"');
  });

  it('runApiOnly serves the API and writes DIR/kubeconfig that client-node can use', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lab-cli-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const server: KubeApiServer = await runApiOnly({ dir: path.join(dir, 'nested') });
    cleanup.push(() => server.close());
    const yaml = await readFile(path.join(dir, 'nested', 'kubeconfig'), 'utf8');
    expect(yaml).toContain(server.url);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(yaml);
    const ns = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    expect(ns.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['default', 'kube-system', 'kube-public']));
  });
});
