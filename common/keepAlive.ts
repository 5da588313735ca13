/**
 * client-node 1.4 builds a new http(s).Agent for every request (KubeConfig.createAgent, called from
 * applySecurityAuthentication and applyToHTTPSOptions), so no TCP/TLS connection is ever reused.
 * This copies the host's KubeConfig and makes its createAgent return one keep-alive agent per
 * cluster and TLS settings, owned by this instance (dispose() closes the sockets).
 */
import type * as http from 'node:http';
import { KubeConfig, type Cluster } from '@kubernetes/client-node';

type AgentOptions = Record<string, unknown>;
type CreateAgent = (cluster: Cluster | null, options: AgentOptions) => http.Agent;

export class KeepAliveKubeConfig {
  readonly kubeConfig: KubeConfig;
  private readonly agents = new Map<string, http.Agent>();

  /** `agentOptions` add to every agent's options, e.g. `timeout` to close idle sockets sooner. */
  constructor(source: KubeConfig, private readonly agentOptions: AgentOptions = {}) {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: source.clusters,
      contexts: source.contexts,
      users: source.users,
      currentContext: source.currentContext,
    });
    // createAgent is private in the typings; replacing it on this instance is the only hook client-node offers.
    const factory = kc as unknown as { createAgent: CreateAgent };
    const original = factory.createAgent.bind(kc);
    factory.createAgent = (cluster, options) => {
      if (cluster?.proxyUrl) return original(cluster, options); // proxy agents keep client-node's behaviour
      const key = agentKey(cluster, options);
      let agent = this.agents.get(key);
      if (!agent) {
        agent = original(cluster, { ...options, ...this.agentOptions, keepAlive: true });
        this.agents.set(key, agent);
      }
      return agent;
    };
    this.kubeConfig = kc;
  }

  /** How many distinct agents were made (one per cluster and TLS settings). */
  get agentCount(): number {
    return this.agents.size;
  }

  dispose(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

/** Identifies the connection settings; certificate material is compared by content, never logged. */
function agentKey(cluster: Cluster | null, options: AgentOptions): string {
  const part = (value: unknown) => (value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('base64') : String(value));
  return [
    cluster?.server, cluster?.skipTLSVerify, options.rejectUnauthorized, options.servername,
    part(options.ca), part(options.cert), part(options.key), part(options.pfx),
  ].join('\u0000');
}
