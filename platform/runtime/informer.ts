/**
 * The one informer of the host: a client-node informer with one restart policy. client-node restarts a
 * watch by itself only on 410 Gone; after any other error (or a failed restart) this one starts it again
 * after an exponential backoff (200 ms doubling to 30 s), reset once the watch is connected again. The
 * AbortError `stop()` makes client-node emit is ignored. Every host controller uses it; it takes a
 * KubeConfig per informer, so it serves any cluster. (The metal3 plugin's host cache follows the same
 * policy with its own informer; handing this one to plugins through PluginHost is not done yet.)
 */
import { makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';

/** Restart backoff: first delay and cap. */
export const INFORMER_BACKOFF = { initialMs: 200, maxMs: 30_000 };
/** Attempts at the first list before start() gives up (the backoff applies between them). */
const START_ATTEMPTS = 5;

export interface ResourceInformer<T extends KubernetesObject> {
  list(): T[];
  stop(): Promise<void>;
}

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  onChange?: (obj: T, kind: 'add' | 'update' | 'delete') => void;
  logger: Logger;
}

/** Resolves once the first list is in (its objects already passed to onChange as `add`). */
export async function startResourceInformer<T extends KubernetesObject>(opts: InformerOptions<T>): Promise<ResourceInformer<T>> {
  const informer = makeInformer<T>(opts.kubeConfig, opts.path, opts.list);
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let backoffMs = INFORMER_BACKOFF.initialMs;
  const nextDelay = () => {
    const delay = backoffMs;
    backoffMs = Math.min(backoffMs * 2, INFORMER_BACKOFF.maxMs);
    return delay;
  };
  const onChange = opts.onChange ?? (() => undefined);
  informer.on('add', (o) => onChange(o, 'add'));
  informer.on('update', (o) => onChange(o, 'update'));
  informer.on('delete', (o) => onChange(o, 'delete'));
  informer.on('connect', () => (backoffMs = INFORMER_BACKOFF.initialMs));
  const onError = (err: unknown) => {
    if (stopped) return;
    const delay = nextDelay();
    opts.logger.warn({ path: opts.path, err: String((err as Error)?.message ?? err), retryInMs: delay }, 'informer error; restarting');
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (!stopped) informer.start().catch(onError);
    }, delay);
  };
  informer.on('error', onError);
  for (let attempt = 1; ; attempt++) {
    try {
      await informer.start();
      break;
    } catch (err) {
      if (stopped || attempt >= START_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, nextDelay()));
    }
  }
  return {
    list: () => [...informer.list()],
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
