/**
 * What the platform's controllers are handed (Backstage-style declared dependencies): the host
 * wires these once in platform.ts; controllers never reach for globals.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock, EventRecorder, Logger, NodeProvider } from '../plugin/contract.js';
import type { DynamicOptions } from './dynamic/context.js';

/** Routes calls to the current (hot-reloaded) version of a registered provider plugin. */
export interface ProviderDirectory {
  /** The provider registered under `name`, or undefined when none is registered/active. */
  get(name: string): NodeProvider | undefined;
  names(): string[];
}

/** Metrics the NodeClaim controllers report; implemented with prom-client by observability/metrics.ts. */
export interface ClaimMetrics {
  /** Current number of NodeClaims per phase (Pending, Available, Failed, Deleting) and provider. */
  setClaimsByPhase(provider: string, counts: Record<string, number>): void;
  /** Seconds from claim creation to Provisioned / Joined, per node type. */
  observeClaimDuration(step: 'scheduled' | 'provisioned' | 'joined', nodeType: string, seconds: number): void;
  /** A createNode/deleteNode call and how it ended (ok, InsufficientCapacity, InvalidConfiguration, Transient, error). */
  countProviderCall(provider: string, method: string, outcome: string): void;
}

export interface PlatformOptions {
  /** How long a Provisioned node may take to register in its tenant before the claim fails. Default 1h. */
  joinTimeoutMs: number;
  /** TTL of per-claim join tokens; must exceed provisioning time. Default 4h. */
  tokenTtlSeconds: number;
  /** Backoff for claims with no capacity: first delay and cap. */
  capacityBackoff: { initialMs: number; maxMs: number };
  /** How often getNode is polled for claims in progress. */
  pollIntervalMs: number;
  /** Upper bound for draining a tenant Node before deletion proceeds (terminationGracePeriod may lower it). */
  drainTimeoutMs: number;
  /** Dynamic pools: batch window, disruption interval, nomination grace (Karpenter's defaults when unset). */
  dynamic?: Partial<DynamicOptions>;
}

export interface PlatformDeps {
  kubeConfig: KubeConfig;
  providers: ProviderDirectory;
  events: EventRecorder;
  logger: Logger;
  metrics: ClaimMetrics;
  clock: Clock;
  options: PlatformOptions;
  /** Identity of this replica (field manager, leader-election identity, logs). */
  replicaId: string;
}

export const DEFAULT_PLATFORM_OPTIONS: PlatformOptions = {
  joinTimeoutMs: 60 * 60 * 1000,
  tokenTtlSeconds: 4 * 60 * 60,
  capacityBackoff: { initialMs: 5_000, maxMs: 5 * 60_000 },
  pollIntervalMs: 2_000,
  drainTimeoutMs: 30 * 60_000,
};
