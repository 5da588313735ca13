/**
 * Platform metrics on a per-instance prom-client Registry (never the global default), served on
 * `/metrics` (with the `/healthz` and `/readyz` probes, health.ts). Buckets are bare-metal sized:
 * provisioning takes minutes, not milliseconds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ClaimMetrics } from '../deps.js';
import { HealthChecks, probeAnswer } from './health.js';

const CLAIM_DURATION_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

export class PlatformMetrics implements ClaimMetrics {
  readonly registry = new Registry();
  readonly health = new HealthChecks();
  private readonly claimsByPhase = new Gauge({
    name: 'metal3_platform_nodeclaims',
    help: 'NodeClaims by phase and provider',
    labelNames: ['provider', 'phase'],
    registers: [this.registry],
  });
  private readonly claimDuration = new Histogram({
    name: 'metal3_platform_nodeclaim_duration_seconds',
    help: 'Seconds from NodeClaim creation to the step (scheduled, provisioned, joined)',
    labelNames: ['step', 'node_type'],
    buckets: CLAIM_DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly capacity = new Gauge({
    name: 'metal3_platform_nodetype_capacity',
    help: 'NodeType capacity (total hosts matching, claimed hosts)',
    labelNames: ['node_type', 'kind'],
    registers: [this.registry],
  });
  private readonly providerCalls = new Counter({
    name: 'metal3_platform_provider_calls_total',
    help: 'Provider hook calls by method and outcome',
    labelNames: ['provider', 'method', 'outcome'],
    registers: [this.registry],
  });
  private readonly reloads = new Counter({
    name: 'metal3_platform_plugin_reloads_total',
    help: 'Plugin (re)activations by provider and outcome',
    labelNames: ['provider', 'outcome'],
    registers: [this.registry],
  });
  private server: Server | undefined;

  setClaimsByPhase(provider: string, counts: Record<string, number>): void {
    for (const phase of ['Pending', 'Available', 'Failed', 'Deleting']) {
      this.claimsByPhase.set({ provider, phase }, counts[phase] ?? 0);
    }
    for (const [phase, n] of Object.entries(counts)) this.claimsByPhase.set({ provider, phase }, n);
  }

  observeClaimDuration(step: 'scheduled' | 'provisioned' | 'joined', nodeType: string, seconds: number): void {
    this.claimDuration.observe({ step, node_type: nodeType }, seconds);
  }

  countProviderCall(provider: string, method: string, outcome: string): void {
    this.providerCalls.inc({ provider, method, outcome });
  }

  setNodeTypeCapacity(nodeType: string, capacity: { total: number; claimed: number }): void {
    this.capacity.set({ node_type: nodeType, kind: 'total' }, capacity.total);
    this.capacity.set({ node_type: nodeType, kind: 'claimed' }, capacity.claimed);
  }

  removeNodeType(nodeType: string): void {
    this.capacity.remove({ node_type: nodeType, kind: 'total' });
    this.capacity.remove({ node_type: nodeType, kind: 'claimed' });
  }

  countReload(provider: string, outcome: 'ok' | 'failed'): void {
    this.reloads.inc({ provider, outcome });
  }

  /** Serves `/metrics` and the probes on 127.0.0.1 (or `host`); port 0 picks a free one. Returns the metrics URL. */
  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => {
      const probe = probeAnswer(req.url ?? '', this.health);
      if (probe) {
        res.writeHead(probe.status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(probe.body);
        return;
      }
      if (req.url !== '/metrics') {
        res.writeHead(404).end('not found\n');
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
    return `http://${shown}:${(server.address() as AddressInfo).port}/metrics`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
