/**
 * A client-node informer that restarts itself after errors (client-node only restarts on 410) and
 * ignores the AbortError `stop()` emits. Owned by a controller instance; stop() ends it.
 */
import { makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../plugin/contract.js';

export interface ResourceInformer<T extends KubernetesObject> {
  list(): T[];
  stop(): Promise<void>;
}

export interface InformerOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
  onChange: (obj: T, kind: 'add' | 'update' | 'delete') => void;
  logger: Logger;
  restartDelayMs?: number;
}

export async function startResourceInformer<T extends KubernetesObject>(opts: InformerOptions<T>): Promise<ResourceInformer<T>> {
  const informer = makeInformer<T>(opts.kubeConfig, opts.path, opts.list);
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const restartDelay = opts.restartDelayMs ?? 1000;
  informer.on('add', (o) => opts.onChange(o, 'add'));
  informer.on('update', (o) => opts.onChange(o, 'update'));
  informer.on('delete', (o) => opts.onChange(o, 'delete'));
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    opts.logger.warn({ path: opts.path, err: String((err as Error)?.message ?? err) }, 'informer error; restarting');
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      if (!stopped) informer.start().catch(() => undefined);
    }, restartDelay);
  });
  await startWithRetry(() => informer.start(), () => stopped, restartDelay);
  return {
    list: () => [...informer.list()],
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}

async function startWithRetry(start: () => Promise<void>, stopped: () => boolean, delayMs: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await start();
      return;
    } catch (err) {
      if (stopped() || attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
