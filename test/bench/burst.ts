/**
 * One measured scenario: warm the strategy up, reset the API server's counters, fire the burst of
 * createNode calls with bounded concurrency, and collect what the report needs.
 */
import type { Verb } from '../../lab/kube/index.js';
import { BurstProfiler } from './cpuProfile.js';
import { claimBurst } from './scenario.js';
import type { ClaimStrategy } from './strategy.js';
import { ServerResponse } from 'node:http';
import { heapUsedAfterGc, mean, MiB, percentile, RssSampler, StatusCounter } from './metrics.js';
import { inPool, type BenchWorld } from './world.js';

/** A createNode that hangs must not hang the bench: it counts as failed after this long. */
const CLAIM_DEADLINE_MS = 120_000;

export const WRITE_VERBS: Verb[] = ['CREATE', 'UPDATE', 'PATCH', 'DELETE'];
export const ALL_VERBS: Verb[] = ['LIST', 'GET', 'WATCH', 'CREATE', 'UPDATE', 'PATCH', 'DELETE'];

export interface ScenarioResult {
  strategy: ClaimStrategy['name'];
  hosts: number;
  claims: number;
  concurrency: number;
  latencyMs: number;
  setupMs: number;
  warmUpMs: number;
  wallMs: number;
  claimsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerNode: Record<Verb, number>;
  writesPerNode: number;
  bytesPerNode: number;
  /** Lost host races (409 on the host write) the strategy saw, per node. */
  conflictsPerNode: number;
  /** Every 409 the API server answered (Conflict and AlreadyExists, any object), per node. */
  http409PerNode: number;
  selectionMeanMs: number;
  selectionP99Ms: number;
  /** API handler time / wall time (injected latency not included). */
  apiShare: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  /** Heap the warm-up added (for the plugin: its host cache and informer), after a full GC. */
  warmUpHeapMiB: number;
  failures: number;
  firstFailure?: string;
}

export async function runScenario(world: BenchWorld, strategy: ClaimStrategy, opts: { claims: number; concurrency: number; latencyMs: number; cpuProfileFile?: string }): Promise<ScenarioResult> {
  // The strategy's informers and timers must not outlive the scenario's world (they would retry forever).
  try {
    return await measureScenario(world, strategy, opts);
  } finally {
    await strategy.dispose();
  }
}

async function measureScenario(world: BenchWorld, strategy: ClaimStrategy, opts: { claims: number; concurrency: number; latencyMs: number; cpuProfileFile?: string }): Promise<ScenarioResult> {
  const claims = claimBurst(opts.claims, `${strategy.name === 'plugin' ? 'a' : 'b'}${world.hostCount.toString(16)}`);
  const heapBefore = heapUsedAfterGc();
  const rssBefore = process.memoryUsage().rss;
  const warmStart = performance.now();
  await strategy.warmUp();
  const warmUpMs = performance.now() - warmStart;
  const heapWarm = heapUsedAfterGc();
  world.api.stats.reset();
  const profiler = opts.cpuProfileFile ? new BurstProfiler() : undefined;
  await profiler?.start();
  const sampler = new RssSampler();
  const statuses = new StatusCounter(ServerResponse.prototype);
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  await inPool(claims, opts.concurrency, async (claim) => {
    const t0 = performance.now();
    try {
      await withDeadline(strategy.createNode(claim), CLAIM_DEADLINE_MS, `createNode ${claim.namespace}/${claim.name}`);
      latencies.push(performance.now() - t0);
    } catch (err) {
      failures++;
      // Provider errors name objects and fields only; they never carry the join token or user data.
      firstFailure ??= `${(err as Error).name}: ${(err as Error).message}`;
    }
  });
  const wallMs = performance.now() - started;
  const stats = world.api.stats.snapshot();
  const peakRss = sampler.stop();
  statuses.stop();
  if (opts.cpuProfileFile) await profiler?.stop(opts.cpuProfileFile);
  const done = Math.max(1, latencies.length);
  const requestsPerNode = Object.fromEntries(ALL_VERBS.map((v) => [v, stats.requests[v] / done])) as Record<Verb, number>;
  const selections = strategy.selectionMs();
  return {
    strategy: strategy.name,
    hosts: world.hostCount,
    claims: opts.claims,
    concurrency: opts.concurrency,
    latencyMs: opts.latencyMs,
    setupMs: world.setupMs,
    warmUpMs,
    wallMs,
    claimsPerSecond: latencies.length / (wallMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requestsPerNode,
    writesPerNode: WRITE_VERBS.reduce((s, v) => s + requestsPerNode[v], 0),
    bytesPerNode: stats.bytesSent / done,
    conflictsPerNode: strategy.conflicts() / done,
    http409PerNode: statuses.count(409) / done,
    selectionMeanMs: mean(selections),
    selectionP99Ms: percentile(selections, 99),
    apiShare: stats.handlerMs / wallMs,
    rssBeforeMiB: rssBefore / MiB,
    peakRssMiB: peakRss / MiB,
    warmUpHeapMiB: (heapWarm - heapBefore) / MiB,
    failures,
    firstFailure,
  };
}

export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not return within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
