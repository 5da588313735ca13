/**
 * Connections to tenant clusters, found only through the access Secret `vc-<vci>` in the VCI's
 * namespace (keys `config`, `certificate-authority`, `endpoint`), as vCluster writes it. A
 * connection is rebuilt when the Secret changes and dropped when it disappears. Each connection may
 * run a Node informer (started on first need, stopped with the directory).
 */
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { KeepAliveKubeConfig } from '../../common/keepAlive.js';
import type { Logger } from '../../plugin/contract.js';
import { startResourceInformer, type ResourceInformer } from '../runtime/informer.js';
import { caCertHash } from './caCertHash.js';

export interface TenantConnection {
  /** `<namespace>/<vci>` */
  key: string;
  core: CoreV1Api;
  endpoint: string;
  caCertPem: string;
  caCertHash: string;
  /** Client configuration for the tenant API (informers beyond Nodes, event recorders). */
  kubeConfig: KubeConfig;
}

interface Entry {
  resourceVersion: string;
  conn: TenantConnection;
  kubeConfig: KubeConfig;
  /** Owns the connection's keep-alive sockets; destroyed when the connection is dropped. */
  agents: KeepAliveKubeConfig;
  nodes?: Promise<ResourceInformer<V1Node>>;
}

export type NodeChangeHandler = (tenantKey: string, node: V1Node, kind: 'add' | 'update' | 'delete') => void;

export class TenantDirectory {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;

  constructor(
    private readonly management: CoreV1Api,
    private readonly logger: Logger,
    private readonly onNodeChange: NodeChangeHandler,
  ) {}

  static accessSecretName(vci: string): string {
    return `vc-${vci}`;
  }

  /** The tenant's connection, or undefined when its access Secret does not exist (tenant gone or not yet up). */
  async get(namespace: string, vci: string): Promise<TenantConnection | undefined> {
    const key = `${namespace}/${vci}`;
    let secret;
    try {
      secret = await this.management.readNamespacedSecret({ name: TenantDirectory.accessSecretName(vci), namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      await this.drop(key);
      return undefined;
    }
    const rv = secret.metadata?.resourceVersion ?? '';
    const cached = this.entries.get(key);
    if (cached && cached.resourceVersion === rv) return cached.conn;
    await this.drop(key);
    const data = (k: string) => {
      const v = secret.data?.[k];
      if (!v) throw new Error(`Secret ${namespace}/${TenantDirectory.accessSecretName(vci)}: data.${k}: missing`);
      return Buffer.from(v, 'base64').toString('utf8');
    };
    const agents = new KeepAliveKubeConfig(tenantKubeConfig(data('config')));
    const kubeConfig = agents.kubeConfig;
    const caCertPem = data('certificate-authority');
    const conn: TenantConnection = {
      key,
      core: kubeConfig.makeApiClient(CoreV1Api),
      endpoint: data('endpoint').trim(),
      caCertPem,
      caCertHash: caCertHash(caCertPem),
      kubeConfig,
    };
    this.entries.set(key, { resourceVersion: rv, conn, kubeConfig, agents });
    return conn;
  }

  /** The tenant's Nodes from its informer cache; starts the informer on first use. */
  async nodes(conn: TenantConnection): Promise<V1Node[]> {
    const entry = this.entries.get(conn.key);
    if (!entry || entry.conn !== conn || this.stopped) return [];
    entry.nodes ??= startResourceInformer<V1Node>({
      kubeConfig: entry.kubeConfig,
      path: '/api/v1/nodes',
      list: (page) => conn.core.listNode({ limit: page.limit, _continue: page.continue }),
      onChange: (node, kind) => this.onNodeChange(conn.key, node, kind),
      logger: this.logger.child({ tenant: conn.key }),
    });
    try {
      return (await entry.nodes).list();
    } catch (err) {
      entry.nodes = undefined;
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.entries.keys()].map((k) => this.drop(k)));
  }

  private async drop(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const informer = await entry.nodes?.catch(() => undefined);
    await informer?.stop();
    entry.agents.dispose();
  }
}

/** client-node refuses plain-http servers unless skipTLSVerify is set; for http there is no TLS to verify. */
function tenantKubeConfig(yaml: string): KubeConfig {
  const loaded = new KubeConfig();
  loaded.loadFromString(yaml);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: loaded.clusters.map((c) => ({ ...c, skipTLSVerify: c.skipTLSVerify || c.server.startsWith('http://') })),
    users: loaded.users,
    contexts: loaded.contexts,
    currentContext: loaded.currentContext,
  });
  return kc;
}
