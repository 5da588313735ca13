/**
 * A management API and one tenant API (both startKubeApi over real HTTP), a project namespace, the
 * tenant access Secret `vc-<tenant>` the way vCluster writes it, recording events/logs/metrics, and
 * PlatformDeps for the controllers under test. Every test file stops it in afterAll.
 */
import { execFileSync } from 'node:child_process';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import type { ClaimMetrics, PlatformDeps, PlatformOptions, ProviderDirectory } from '../../../platform/deps.js';
import type { EventRecorder, Logger, NodeProvider, ObjectRef } from '../../../plugin/contract.js';

export const PROJECT_NS = 'p-test';
export const GROUP = 'management.loft.sh';
export const VERSION = 'v1';

export interface RecordedEvent { ref: ObjectRef; type: string; reason: string; message: string }

export class RecordingEvents implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  record(ref: ObjectRef, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ ref, type, reason, message });
  }
  reasonsFor(name: string): string[] {
    return this.events.filter((e) => e.ref.name === name).map((e) => e.reason);
  }
}

export class RecordingLogger implements Logger {
  constructor(readonly lines: string[] = []) {}
  private put(level: string, obj: object | string, msg?: string) {
    const line = `${level} ${typeof obj === 'string' ? obj : JSON.stringify(obj)} ${msg ?? ''}`;
    this.lines.push(line);
    if (process.env.PLATFORM_TEST_LOGS) process.stderr.write(`${line}\n`);
  }
  debug(o: object | string, m?: string) { this.put('debug', o, m); }
  info(o: object | string, m?: string) { this.put('info', o, m); }
  warn(o: object | string, m?: string) { this.put('warn', o, m); }
  error(o: object | string, m?: string) { this.put('error', o, m); }
  child(): Logger { return this; }
}

export class RecordingMetrics implements ClaimMetrics {
  readonly phases = new Map<string, Record<string, number>>();
  readonly durations: { step: string; nodeType: string; seconds: number }[] = [];
  readonly calls: { provider: string; method: string; outcome: string }[] = [];
  setClaimsByPhase(provider: string, counts: Record<string, number>) { this.phases.set(provider, counts); }
  observeClaimDuration(step: 'scheduled' | 'provisioned' | 'joined', nodeType: string, seconds: number) { this.durations.push({ step, nodeType, seconds }); }
  countProviderCall(provider: string, method: string, outcome: string) { this.calls.push({ provider, method, outcome }); }
}

export class StaticProviders implements ProviderDirectory {
  readonly map = new Map<string, NodeProvider>();
  get(name: string) { return this.map.get(name); }
  names() { return [...this.map.keys()]; }
}

export const FAST_OPTIONS: PlatformOptions = {
  joinTimeoutMs: 60_000,
  tokenTtlSeconds: 3600,
  capacityBackoff: { initialMs: 100, maxMs: 800 },
  pollIntervalMs: 50,
  drainTimeoutMs: 2000,
};

export interface Harness {
  mgmt: KubeApiServer;
  tenant: KubeApiServer;
  mgmtCore: CoreV1Api;
  custom: CustomObjectsApi;
  tenantCore: CoreV1Api;
  caPem: string;
  providers: StaticProviders;
  events: RecordingEvents;
  logger: RecordingLogger;
  metrics: RecordingMetrics;
  deps(options?: Partial<PlatformOptions>): PlatformDeps;
  /** Writes `vc-<name>` for the tenant in `namespace` (PROJECT_NS unless given). */
  writeTenantSecret(name: string, namespace?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const mgmt = await startKubeApi({ name: 'mgmt' });
  const tenant = await startKubeApi({ name: 'tenant', loadDefaultCrds: false });
  const kc: KubeConfig = mgmt.kubeConfig();
  const mgmtCore = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await mgmtCore.createNamespace({ body: { metadata: { name: PROJECT_NS } } });
  const caPem = selfSignedCa();
  const providers = new StaticProviders();
  const events = new RecordingEvents();
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  return {
    mgmt, tenant, mgmtCore, custom, tenantCore: tenant.kubeConfig().makeApiClient(CoreV1Api), caPem, providers, events, logger, metrics,
    deps: (options = {}) => ({
      kubeConfig: kc, providers, events, logger, metrics, clock: { now: () => new Date() },
      options: { ...FAST_OPTIONS, ...options }, replicaId: 'test',
    }),
    async writeTenantSecret(name: string, namespace = PROJECT_NS) {
      await mgmtCore.createNamespacedSecret({
        namespace,
        body: {
          metadata: { name: `vc-${name}`, labels: { 'vcluster.loft.sh/tenant': name } },
          stringData: { config: tenant.kubeconfigYaml(), 'certificate-authority': caPem, endpoint: 'https://127.0.0.1:1' },
        },
      });
    },
    async close() {
      await tenant.close();
      await mgmt.close();
    },
  };
}

function selfSignedCa(): string {
  return execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null',
    '-subj', '/CN=tenant-ca', '-days', '1',
  ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

