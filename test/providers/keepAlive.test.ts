/**
 * Connection reuse: KubeClient's requests go through one keep-alive agent, so many sequential calls
 * open one TCP connection (counted by a TCP relay in front of the lab API), where client-node's own
 * KubeConfig opens one per request.
 */
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../providers/metal3/kube.js';
import { startTestLab, type TestLab } from '../support/lab.js';

describe('KubeClient connection reuse', () => {
  let lab: TestLab;
  let relay: net.Server;
  let connections = 0;
  const sockets = new Set<net.Socket>();
  let relayed: KubeConfig;

  beforeAll(async () => {
    lab = await startTestLab({ namespace: 'keepalive-test' });
    const target = new URL(lab.kc.getCurrentCluster()!.server);
    relay = net.createServer((client) => {
      connections++;
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const port = (relay.address() as net.AddressInfo).port;
    relayed = new KubeConfig();
    relayed.loadFromOptions({
      clusters: lab.kc.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })), // TLS passes through the relay
      contexts: lab.kc.contexts,
      users: lab.kc.users,
      currentContext: lab.kc.currentContext,
    });
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => relay?.close(() => resolve()));
    await lab?.close();
  });

  it('opens one connection for 20 sequential requests', async () => {
    const kube = new KubeClient(relayed);
    connections = 0;
    try {
      for (let i = 0; i < 20; i++) expect(await kube.getSecret(lab.namespace, `absent-${i}`)).toBeUndefined();
    } finally {
      kube.dispose();
    }
    expect(connections).toBe(1);
  });

  it('client-node alone opens a connection per request (what the wrapper fixes)', async () => {
    const core = relayed.makeApiClient(CoreV1Api);
    connections = 0;
    for (let i = 0; i < 5; i++) await core.listNamespacedSecret({ namespace: lab.namespace });
    expect(connections).toBe(5);
  });
});
