/**
 * The one informer of the host: a client-node informer with one restart policy, used by every host
 * controller and, through `PluginHost.watches` (host/pluginWatches.ts), by every plugin. client-node
 * restarts a watch by itself only on 410 Gone (it relists); after any other error (or a failed restart)
 * this one starts it again after an exponential backoff (200 ms doubling to 30 s), reset once a start
 * completes without an error (the list, when one was needed, is in and the watch is open). client-node's
 * 'connect' comes before every list, so it cannot be the reset: a list failing again and again would retry
 * every 200 ms. The AbortError `stop()` makes client-node emit is ignored. It takes a KubeConfig per
 * informer, so it serves any cluster; `reconnect()` skips a pending backoff when the caller knows the
 * cluster is back.
 *
 * A 403 (the ServiceAccount lacks a permission) is logged once as an error with the API's own message
 * (it names the user, verb and resource), shared by every informer of the same KubeConfig, reported once
 * to `onForbidden`, and retried with its own backoff (1 s doubling to 30 s; client-node's 'connect' comes
 * before every list, so it does not reset this one; a successful list does). `synced()` is false until
 * the objects of a list are in and the watch after it is open: the host is not ready meanwhile.
 */
import { makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';
import { apiErrorWithStatus } from './apiStatus.js';
import { LIST_PAGE_SIZE, listInPages, type PageLister } from './pagedList.js';

/** Restart backoff: first delay and cap. */
export const INFORMER_BACKOFF = { initialMs: 200, maxMs: 30_000 };
/** Attempts at the first list before startResourceInformer() gives up (the backoff applies between them). */
const START_ATTEMPTS = 5;

/** How long stop() waits for a start in progress (a list against an unreachable cluster may hang). */
const STOP_WAIT_MS = 5000;

/** Backoff while the API refuses (403): first delay and cap. */
export const FORBIDDEN_BACKOFF = { initialMs: 1000, maxMs: 30_000 };

export interface ResourceInformer<T extends KubernetesObject> {
  list(): T[];
  /** Whether the objects of a list are in and its watch is open (client-node's start() resolves even when the list fails). */
  synced(): boolean;
  /** Resolves once the objects of the first list are in (already passed to onChange as `add`) and its watch is open, or at stop(). */
  whenSynced(): Promise<void>;
  /** Restarts a watch waiting out its backoff now (its cluster is back); a running watch is left alone. */
  reconnect(): void;
  stop(): Promise<void>;
}

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  path: string;
  /** Lists one page (pass `page.limit` and `page.continue` to the API); a function that ignores it lists everything in one. */
  list: PageLister<T>;
  /** Objects per page; default LIST_PAGE_SIZE (500). */
  pageSize?: number;
  onChange?: (obj: T, kind: 'add' | 'update' | 'delete') => void;
  logger: Logger;
  /** Called once per distinct refusal (the API's 403 message) while it is in force. */
  onForbidden?: (message: string) => void;
}

/** Resolves once the first list is in (its objects already passed to onChange as `add`); throws after START_ATTEMPTS failed starts. */
export async function startResourceInformer<T extends KubernetesObject>(opts: InformerOptions<T>): Promise<ResourceInformer<T>> {
  const informer = openResourceInformer(opts);
  for (let attempt = 1; ; attempt++) {
    try {
      await informer.start();
      return informer;
    } catch (err) {
      if (informer.stopped() || attempt >= START_ATTEMPTS) {
        await informer.stop();
        throw err;
      }
      await new Promise((r) => setTimeout(r, informer.nextDelay()));
    }
  }
}

/** Starts an informer that never gives up: a failed start is retried like any watch error. Returns at once. */
export function runResourceInformer<T extends KubernetesObject>(opts: InformerOptions<T>): ResourceInformer<T> {
  const informer = openResourceInformer(opts);
  informer.start().catch(informer.onError);
  return informer;
}

function openResourceInformer<T extends KubernetesObject>(opts: InformerOptions<T>) {
  const refusals = new RefusalReport(opts);
  let listed = false;
  let synced = false;
  let stopped = false;
  let markSynced = () => {};
  const firstSync = new Promise<void>((r) => (markSynced = r));
  const informer = makeInformer<T>(opts.kubeConfig, opts.path, async (): Promise<KubernetesListObject<T>> => {
    const list = await listInPages(opts.list, opts.pageSize ?? LIST_PAGE_SIZE, () => {
      opts.logger.warn({ path: opts.path, reason: 'Expired' }, 'continue token expired while paging (the API compacted the list); listing in full');
    });
    refusals.clear();
    listed = true; // client-node folds the items in synchronously once this promise settles
    return list;
  });
  let restartTimer: NodeJS.Timeout | undefined;
  let backoffMs = INFORMER_BACKOFF.initialMs;
  const nextDelay = () => {
    const delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, INFORMER_BACKOFF.maxMs);
    return delay;
  };
  // client-node opens the watch request after the list without looking whether stop() came meanwhile:
  // stop() waits for the start in progress and aborts what it opened.
  // Synced once a list is in and the watch that follows it is open (start() resolves then; it also
  // resolves after a failed list, which emitted an error instead).
  let starting: Promise<void> = Promise.resolve();
  let attemptFailed = false;
  const start = () => {
    attemptFailed = false;
    return (starting = informer.start().then(() => {
      if (!attemptFailed) backoffMs = INFORMER_BACKOFF.initialMs;
      if (!listed || stopped) return;
      synced = true;
      markSynced();
    }));
  };
  const restart = () => {
    restartTimer = undefined;
    if (!stopped) start().catch(onError);
  };
  const onChange = opts.onChange ?? (() => undefined);
  informer.on('add', (o) => onChange(o, 'add'));
  informer.on('update', (o) => onChange(o, 'update'));
  informer.on('delete', (o) => onChange(o, 'delete'));
  const onError = (err: unknown) => {
    attemptFailed = true;
    if (stopped) return;
    const refused = refusals.note(err);
    const delay = refused ? refusals.backoffMs() : nextDelay();
    if (!refused) opts.logger.warn({ path: opts.path, err: String((err as Error)?.message ?? err), retryInMs: delay }, 'informer error; restarting');
    clearTimeout(restartTimer);
    restartTimer = setTimeout(restart, delay);
  };
  informer.on('error', onError);
  return {
    start,
    onError,
    nextDelay,
    stopped: () => stopped,
    list: () => [...informer.list()],
    synced: () => synced,
    whenSynced: () => firstSync,
    reconnect() {
      if (!restartTimer || stopped) return;
      clearTimeout(restartTimer);
      backoffMs = INFORMER_BACKOFF.initialMs;
      restart();
    },
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      markSynced();
      await informer.stop();
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((r) => (timer = setTimeout(r, STOP_WAIT_MS)));
      await Promise.race([starting.catch(() => undefined), bound]);
      clearTimeout(timer);
      await informer.stop();
    },
  };
}

/**
 * The API's message of a 403 (`... cannot list resource "nodeclaims" in API group ...`); undefined for any
 * other error. A plugin's list function may throw its own error with client-node's as `cause`: that counts.
 */
export function forbiddenMessage(err: unknown): string | undefined {
  const e = apiErrorWithStatus(err, 403);
  if (!e) return undefined;
  try {
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
    return body?.message ?? 'forbidden';
  } catch {
    return 'forbidden';
  }
}

/**
 * Refusals in force per client configuration: every controller of a host shares its KubeConfig, so
 * several informers refused the same way log one error and raise one Event between them. Weakly keyed:
 * nothing outlives the KubeConfig.
 */
const IN_FORCE = new WeakMap<KubeConfig, Map<string, { informers: number; reported: boolean }>>();

class RefusalReport {
  private readonly own = new Set<string>();
  private streak = 0;

  constructor(private readonly opts: Pick<InformerOptions<KubernetesObject>, 'kubeConfig' | 'path' | 'logger' | 'onForbidden'>) {}

  private shared(): Map<string, { informers: number; reported: boolean }> {
    let map = IN_FORCE.get(this.opts.kubeConfig);
    if (!map) IN_FORCE.set(this.opts.kubeConfig, (map = new Map()));
    return map;
  }

  /** True when `err` is a 403: logged the first time its message is in force, reported once to onForbidden. */
  note(err: unknown): boolean {
    const message = forbiddenMessage(err);
    if (message === undefined) return false;
    this.streak++;
    const shared = this.shared();
    let entry = shared.get(message);
    if (!this.own.has(message)) {
      this.own.add(message);
      if (!entry) {
        shared.set(message, (entry = { informers: 0, reported: false }));
        this.opts.logger.error({ path: this.opts.path, reason: 'Forbidden', err: message }, `permission missing, retrying with backoff: ${message}`);
      }
      entry.informers++;
    }
    if (entry && !entry.reported && this.opts.onForbidden) {
      entry.reported = true;
      this.opts.onForbidden(message);
    }
    return true;
  }

  backoffMs(): number {
    return Math.min(FORBIDDEN_BACKOFF.initialMs * 2 ** Math.max(0, this.streak - 1), FORBIDDEN_BACKOFF.maxMs);
  }

  /** A list succeeded: this informer's refusals are over. */
  clear(): void {
    const shared = this.shared();
    for (const message of this.own) {
      const entry = shared.get(message);
      if (entry && --entry.informers <= 0) shared.delete(message);
    }
    this.own.clear();
    this.streak = 0;
  }
}
