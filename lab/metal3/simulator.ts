/**
 * The Metal3 baremetal-operator simulator: one informer on the namespace's BareMetalHosts feeds a per-host work
 * queue; each reconcile decides a Step (reconciler.ts) and writes it through the API (/status with
 * resourceVersion, merge patches), re-reading on 409. Idle hosts have no timers.
 */
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import { FaultBook, type FaultPlan } from './faults.js';
import { HostApi, isConflict, isNotFound } from './hostApi.js';
import { statusChanged, withConditions } from './hostStatus.js';
import { HostQueue } from './hostQueue.js';
import { ProvisioningSlots } from './provisioningSlots.js';
import { HostReconciler } from './reconciler.js';
import { PhaseClock, type PowerEvent, type Step } from './step.js';
import { TEST_TIMINGS, type PhaseTimings } from './timings.js';
import { BMH_PLURAL, METAL3_GROUP, METAL3_VERSION, ProvisioningState as S, type BareMetalHost } from './types.js';

export interface Metal3SimulatorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Milliseconds per phase; unspecified phases use TEST_TIMINGS. */
  timings?: Partial<PhaseTimings>;
  /** BMO's PROVISIONING_LIMIT. @default 20 */
  provisioningLimit?: number;
  /** BMO's --max-provisioning-retries; 0 = unlimited. @default 5 */
  maxProvisioningRetries?: number;
  /** Reconciles in flight at once (BMO_CONCURRENCY). @default 8 */
  workers?: number;
  logger?: Logger;
  /** Called after every committed power change, so a simulated server can boot, shut down or reboot. */
  onPowerChange?: (event: PowerEvent) => void;
}

export interface Metal3Simulator {
  /** Injects (or with no plan, clears) faults for one host; wins over the `lab.metal3.io/fault` annotation. */
  setFaultPlan(host: string, plan?: FaultPlan): void;
  /** Bookkeeping for benchmarks: idle hosts hold no timers. */
  stats(): SimulatorStats;
  stop(): Promise<void>;
}

export interface SimulatorStats {
  /** Hosts in the informer cache. */
  hosts: number;
  /** Hosts with a scheduled reconcile. */
  pendingTimers: number;
  /** Provisioning slots held (inspecting / provisioning / deprovisioning). */
  slotsInUse: number;
}

const GATED = new Set<string>([S.Inspecting, S.Provisioning, S.Deprovisioning]);
const RETRY_AFTER_API_ERROR_MS = 1000;

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => SILENT };

function resourceVersionOf(o: BareMetalHost | undefined): bigint {
  try {
    return BigInt(o?.metadata.resourceVersion ?? '0');
  } catch {
    return 0n;
  }
}

class SimulatorInstance implements Metal3Simulator {
  private readonly api: HostApi;
  private readonly logger: Logger;
  private readonly faults: FaultBook;
  private readonly slots: ProvisioningSlots;
  private readonly clock = new PhaseClock(() => Date.now());
  private readonly queue: HostQueue;
  private readonly reconciler: HostReconciler;
  private readonly rebooting = new Set<string>();
  /** Objects this simulator wrote that the informer may not have delivered yet. */
  private readonly written = new Map<string, BareMetalHost>();
  private informer?: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  private restartTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly opts: Metal3SimulatorOptions) {
    this.api = new HostApi(opts.kubeConfig, opts.namespace);
    this.logger = (opts.logger ?? SILENT).child({ component: 'metal3-simulator', namespace: opts.namespace });
    this.faults = new FaultBook(this.logger);
    this.queue = new HostQueue((host) => this.process(host), opts.workers ?? 8);
    this.slots = new ProvisioningSlots(opts.provisioningLimit ?? 20, (host) => this.queue.enqueue(host));
    this.reconciler = new HostReconciler({
      timings: { ...TEST_TIMINGS, ...opts.timings },
      maxProvisioningRetries: opts.maxProvisioningRetries ?? 5,
      faults: this.faults,
      slots: this.slots,
      clock: this.clock,
      readSecret: this.api.readSecret,
      now: () => new Date(),
      logger: this.logger,
      powerChanged: (e) => this.powerChanged(e),
      rebooting: this.rebooting,
    });
  }

  async start(): Promise<void> {
    const path = `/apis/${METAL3_GROUP}/${METAL3_VERSION}/namespaces/${this.opts.namespace}/${BMH_PLURAL}`;
    const informer = makeInformer<KubernetesObject>(this.opts.kubeConfig, path, () => this.api.list() as never);
    informer.on('add', (o) => this.observed(o as BareMetalHost));
    informer.on('update', (o) => this.observed(o as BareMetalHost));
    informer.on('delete', (o) => this.forget((o as BareMetalHost).metadata.name));
    informer.on('error', (err) => this.informerFailed(err));
    this.informer = informer;
    await informer.start();
  }

  setFaultPlan(host: string, plan?: FaultPlan): void {
    this.faults.set(host, plan);
    this.queue.enqueue(host);
  }

  stats(): SimulatorStats {
    return {
      hosts: this.informer?.list(this.opts.namespace).length ?? 0,
      pendingTimers: this.queue.pendingTimers,
      slotsInUse: this.slots.inUse,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer?.stop();
    await this.queue.stop();
  }

  private observed(host: BareMetalHost): void {
    const name = host.metadata.name;
    const mine = this.written.get(name);
    if (mine && resourceVersionOf(host) >= resourceVersionOf(mine)) this.written.delete(name);
    this.queue.enqueue(name);
  }

  private forget(name: string): void {
    this.queue.forget(name);
    this.slots.release(name);
    this.clock.forget(name);
    this.faults.forget(name);
    this.rebooting.delete(name);
    this.written.delete(name);
  }

  private informerFailed(err: unknown): void {
    if (this.stopped) return; // stop() aborts the watch, which reports an AbortError
    this.logger.warn({ err: String(err) }, 'BareMetalHost watch failed; restarting it');
    this.restartTimer = setTimeout(() => {
      this.informer?.start().catch((e) => this.informerFailed(e));
    }, RETRY_AFTER_API_ERROR_MS);
  }

  /** The newest copy we know of: the informer's, or our own write if the watch has not caught up. */
  private freshest(name: string): BareMetalHost | undefined {
    const cached = this.informer?.get(name, this.opts.namespace) as BareMetalHost | undefined;
    const mine = this.written.get(name);
    if (!cached) return mine;
    return mine && resourceVersionOf(mine) > resourceVersionOf(cached) ? mine : cached;
  }

  private async process(name: string): Promise<void> {
    for (let attempt = 0; attempt < 5 && !this.stopped; attempt++) {
      try {
        const host = attempt === 0 ? this.freshest(name) : await this.api.get(name);
        if (!host) return;
        const step = await this.reconciler.reconcile(host);
        await this.commit(host, step);
        if (step.requeueMs !== undefined) this.queue.enqueue(name, step.requeueMs);
        return;
      } catch (e) {
        if (isConflict(e)) continue;
        if (isNotFound(e)) return;
        this.logger.warn({ host: name, err: String(e) }, `${name}: reconcile failed; retrying`);
        this.queue.enqueue(name, RETRY_AFTER_API_ERROR_MS);
        return;
      }
    }
    this.queue.enqueue(name, 50);
  }

  private async commit(host: BareMetalHost, step: Step): Promise<void> {
    const name = host.metadata.name;
    let current = host;
    if (step.hardware) await this.api.writeHardwareData(current, step.hardware);
    if (step.deleteHardwareData) await this.api.deleteHardwareData(name);
    if (step.metadata) {
      const patched = await this.api.patchMetadata(current, step.metadata);
      // A deleting host may vanish as soon as its finalizer goes; do not keep a copy the delete event would miss.
      current = host.metadata.deletionTimestamp ? patched : this.remember(patched);
    }
    if (step.status) {
      const now = new Date();
      const desired = withConditions({ ...step.status, lastUpdated: now.toISOString() }, current.metadata.generation, now);
      if (statusChanged(current.status, desired)) {
        current = this.remember(await this.api.replaceStatus(current, desired));
        this.logChange(name, host, current);
        if (!GATED.has(desired.provisioning.state)) this.slots.release(name);
      }
    }
    step.afterCommit?.forEach((f) => f());
  }

  private remember(host: BareMetalHost): BareMetalHost {
    this.written.set(host.metadata.name, host);
    return host;
  }

  private logChange(name: string, before: BareMetalHost, after: BareMetalHost): void {
    const from = before.status?.provisioning?.state ?? '';
    const to = after.status?.provisioning?.state ?? '';
    if (from !== to) this.logger.info({ host: name, from, to }, `${name}: ${from || '(new)'} -> ${to}`);
    const s = after.status;
    if (s?.errorType && s.errorMessage !== before.status?.errorMessage) {
      this.logger.warn({ host: name, errorType: s.errorType, errorCount: s.errorCount }, `${name}: ${s.errorType}: ${s.errorMessage}`);
    }
    const op = s?.operationalStatus;
    if (op !== before.status?.operationalStatus && (op === 'delayed' || op === 'detached')) {
      this.logger.info({ host: name, operationalStatus: op }, `${name}: ${op}`);
    }
  }

  private powerChanged(event: PowerEvent): void {
    this.logger.info({ ...event }, `${event.host}: power ${event.poweredOn ? 'on' : 'off'} (${event.reason})`);
    this.opts.onPowerChange?.(event);
  }
}

/** Starts the simulator; it reconciles every BareMetalHost in `namespace` until `stop()`. */
export async function startMetal3Simulator(opts: Metal3SimulatorOptions): Promise<Metal3Simulator> {
  const simulator = new SimulatorInstance(opts);
  await simulator.start();
  return simulator;
}
