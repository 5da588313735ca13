/**
 * Leader election on a `coordination.k8s.io/v1` Lease with client-go's semantics, so only one
 * platform replica runs the claim controllers:
 * - a candidate may take the lease when it is free (no holder) or when the record it observed has
 *   not changed for the record's `leaseDurationSeconds`, measured on the candidate's own clock from
 *   when it saw the change (no cross-replica clock comparison);
 * - every write is a resourceVersion-guarded replace (create when absent): of two candidates only one
 *   wins, the other gets 409 and stays a follower;
 * - the leader renews every duration/3 and retries faster on failure; if it could not renew within
 *   the renew deadline (2/3 of the duration) it steps down at once, which is before any other
 *   replica can consider the lease expired (a full duration after it last saw a change);
 * - `stop({ release: true })` hands the lease back (empty holder) so a successor starts immediately;
 *   `release: false` is a crash: the lease simply expires.
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import { leaseBody, recordOf, sameRecord, type LeaderRecord } from './leaseRecord.js';

export interface LeaderElectionOptions {
  leaseName: string;
  namespace: string;
  /** How long a lease is valid without renewal. */
  durationMs: number;
}

export const DEFAULT_LEADER_ELECTION: LeaderElectionOptions = {
  leaseName: 'metal3-provider-platform', namespace: 'kube-system', durationMs: 15_000,
};

export interface LeaderElectorDeps extends LeaderElectionOptions {
  kubeConfig: KubeConfig;
  identity: string;
  logger: Logger;
  /** Called when this replica becomes leader; may be slow, is serialized with onStoppedLeading. */
  onStartedLeading(): Promise<void>;
  /** Called when leadership is lost or given up. */
  onStoppedLeading(): Promise<void>;
}

type Outcome = 'leading' | 'following' | 'error';

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly log: Logger;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private readonly renewDeadlineMs: number;
  private observed?: { record: LeaderRecord; at: number };
  private leading = false;
  private lastRenewAt = 0;
  private timer?: NodeJS.Timeout;
  /** Steps down when the renew deadline passes without a renewal, even if a lease call hangs. */
  private watchdog?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private stopped = false;
  /** Leadership callbacks run one after the other, never overlapping. */
  private transitions: Promise<void> = Promise.resolve();

  constructor(private readonly deps: LeaderElectorDeps) {
    if (!(deps.durationMs >= 1000)) throw new Error(`leaderElection.durationMs must be at least 1000 (got ${deps.durationMs})`);
    this.api = deps.kubeConfig.makeApiClient(CoordinationV1Api);
    this.log = deps.logger.child({ component: 'leader-election', lease: `${deps.namespace}/${deps.leaseName}` });
    this.renewMs = Math.floor(deps.durationMs / 3);
    this.retryMs = Math.max(100, Math.floor(deps.durationMs / 10));
    this.renewDeadlineMs = Math.floor((deps.durationMs * 2) / 3);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** Makes the first attempt (so a lone replica leads when this resolves), then keeps trying/renewing. */
  async start(): Promise<void> {
    await this.cycle();
    await this.transitions;
  }

  /** Stops campaigning; with `release` the lease is handed back so a successor takes over at once. */
  async stop(opts: { release: boolean }): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    await this.loop;
    const wasLeading = this.leading;
    if (wasLeading) this.stepDown('stopping');
    await this.transitions;
    if (wasLeading && opts.release) await this.release();
  }

  private async cycle(): Promise<void> {
    if (this.stopped) return;
    this.loop = this.attempt().then((outcome) => this.after(outcome));
    await this.loop;
  }

  private after(outcome: Outcome): void {
    if (this.stopped) return;
    if (this.leading && outcome !== 'leading' && Date.now() - this.lastRenewAt >= this.renewDeadlineMs) {
      this.stepDown('could not renew the lease within the renew deadline');
    }
    const delay = outcome === 'leading' ? this.renewMs : outcome === 'error' && this.leading ? this.retryMs : this.retryMs * 2;
    this.timer = setTimeout(() => void this.cycle(), delay);
  }

  private async attempt(): Promise<Outcome> {
    try {
      return await this.withDeadline(this.tryAcquireOrRenew());
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'lease attempt failed');
      return 'error';
    }
  }

  private async tryAcquireOrRenew(): Promise<Outcome> {
    const { leaseName: name, namespace, identity } = this.deps;
    const now = new Date();
    const current = await this.read();
    const old = recordOf(current);
    if (!current || !old) {
      const record: LeaderRecord = { holderIdentity: identity, leaseDurationSeconds: this.durationSeconds(), acquireTime: now, renewTime: now, leaseTransitions: 0 };
      await this.api.createNamespacedLease({ namespace, body: leaseBody(name, namespace, record) });
      return this.won(record, now);
    }
    if (!this.observed || !sameRecord(this.observed.record, old)) this.observed = { record: old, at: now.getTime() };
    const heldByOther = old.holderIdentity !== '' && old.holderIdentity !== identity;
    const validForMs = (old.leaseDurationSeconds > 0 ? old.leaseDurationSeconds * 1000 : this.deps.durationMs);
    if (heldByOther && this.observed.at + validForMs > now.getTime()) {
      if (this.leading) this.stepDown(`lease is held by ${old.holderIdentity}`);
      return 'following';
    }
    const renewing = old.holderIdentity === identity;
    const record: LeaderRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: this.durationSeconds(),
      acquireTime: renewing ? old.acquireTime : now,
      renewTime: now,
      leaseTransitions: renewing ? old.leaseTransitions : old.leaseTransitions + 1,
    };
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body: leaseBody(name, namespace, record, current) });
    } catch (err) {
      if ((err as { code?: number }).code === 409) return this.leading ? 'error' : 'following';
      throw err;
    }
    return this.won(record, now);
  }

  private won(record: LeaderRecord, at: Date): Outcome {
    if (this.stopped) return 'following';
    this.observed = { record, at: at.getTime() };
    this.lastRenewAt = at.getTime();
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this.stepDown('could not renew the lease within the renew deadline'), this.renewDeadlineMs - (Date.now() - this.lastRenewAt));
    if (!this.leading) {
      this.leading = true;
      this.log.info({ transitions: record.leaseTransitions }, 'became leader');
      this.enqueue(async () => {
        try {
          await this.deps.onStartedLeading();
        } catch (err) {
          // Leading without controllers would stall every claim: drop the flag so the next renewal starts them again.
          this.log.error({ err: (err as Error).message }, 'could not start as leader; retrying on the next renewal');
          await this.deps.onStoppedLeading();
          this.leading = false;
          clearTimeout(this.watchdog);
        }
      });
    }
    return 'leading';
  }

  private stepDown(reason: string): void {
    clearTimeout(this.watchdog);
    if (!this.leading) return;
    this.leading = false;
    this.log.warn({ reason }, 'stopped leading');
    this.enqueue(() => this.deps.onStoppedLeading());
  }

  private enqueue(fn: () => Promise<void>): void {
    this.transitions = this.transitions.then(fn).catch((err: unknown) => {
      this.log.error({ err: (err as Error).message }, 'leadership transition failed');
    });
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ name: this.deps.leaseName, namespace: this.deps.namespace });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  /** client-go's release: empty holder, duration 1 s, so followers take over on their next try. */
  private async release(): Promise<void> {
    try {
      const current = await this.withDeadline(this.read());
      const old = recordOf(current);
      if (!current || old?.holderIdentity !== this.deps.identity) return;
      const now = new Date();
      const record: LeaderRecord = { ...old, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now, acquireTime: now };
      await this.withDeadline(this.api.replaceNamespacedLease({
        name: this.deps.leaseName, namespace: this.deps.namespace, body: leaseBody(this.deps.leaseName, this.deps.namespace, record, current),
      }));
      this.log.info({}, 'released the lease');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not release the lease; it will expire');
    }
  }

  private durationSeconds(): number {
    return Math.max(1, Math.ceil(this.deps.durationMs / 1000));
  }

  /** A lease call that hangs must not hold the loop past the renew deadline. */
  private withDeadline<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('lease request timed out')), Math.max(200, this.retryMs * 2));
    });
    return Promise.race([p, limit]).finally(() => clearTimeout(timer));
  }
}
