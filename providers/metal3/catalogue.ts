/**
 * The management cluster's catalogue a claim reads by name (OSImages, SSHKeys), served from watched caches:
 * one watch per collection asked of the host (`PluginHost.watches`, its one informer and restart policy), so
 * a claim costs no GET for them. A name the cache does not hold is read live once before it counts as
 * missing (an object created a moment ago may not have arrived yet); the answer is not folded in, so a
 * delete event that crosses it cannot be undone. Until the first list is in, a lookup waits a little and
 * then throws TransientError with retryAfterMs (the claim is retried, never failed).
 */
import { inject, injectable } from 'tsyringe';
import { TransientError, type ResourceWatch, type ResourceWatches } from '../../plugin/contract.js';
import { KubeClient } from './kube.js';
import { LOFT_API } from './names.js';
import { WATCHES } from './tokens.js';
import type { PropertiesObject, SSHKeyObject } from './types.js';

/** How long a lookup waits for the first list before the claim is told to come back. */
const SYNC_WAIT_MS = 5_000;
const RETRY_AFTER_MS = 1_000;

const KINDS = { osimages: 'OSImage', sshkeys: 'SSHKey' } as const;
type Plural = keyof typeof KINDS;
type Catalogued = { metadata: { name: string; resourceVersion?: string } };

@injectable()
export class Catalogue {
  private readonly collections = new Map<Plural, { objects: Map<string, Catalogued>; watch: ResourceWatch<Catalogued> }>();

  constructor(
    private readonly kube: KubeClient,
    @inject(WATCHES) private readonly watches: ResourceWatches,
  ) {}

  /** Starts the watches (once; later calls do nothing). */
  start(): void {
    for (const plural of Object.keys(KINDS) as Plural[]) {
      if (this.collections.has(plural)) continue;
      const objects = new Map<string, Catalogued>();
      const watch = this.watches.watch<Catalogued>({
        path: `/apis/${LOFT_API.group}/${LOFT_API.version}/${plural}`,
        list: (page) => this.kube.listPlatformObjects<Catalogued>(plural, page),
        onChange: (object, kind) => {
          if (kind === 'delete') objects.delete(object.metadata.name);
          else objects.set(object.metadata.name, object);
        },
      });
      this.collections.set(plural, { objects, watch });
    }
  }

  async stop(): Promise<void> {
    const running = [...this.collections.values()];
    this.collections.clear();
    await Promise.all(running.map(({ watch }) => watch.stop()));
  }

  /** tsyringe calls this from container.dispose(). */
  dispose(): Promise<void> {
    return this.stop();
  }

  osImage(name: string): Promise<PropertiesObject | undefined> {
    return this.get<PropertiesObject>('osimages', name);
  }

  sshKey(name: string): Promise<SSHKeyObject | undefined> {
    return this.get<SSHKeyObject>('sshkeys', name);
  }

  private async get<T>(plural: Plural, name: string): Promise<T | undefined> {
    const collection = this.collections.get(plural);
    if (!collection) throw new TransientError(`${KINDS[plural]} cache is not running (provider not configured yet)`, { retryAfterMs: RETRY_AFTER_MS });
    if (!collection.watch.synced()) await waitForSync(collection.watch, KINDS[plural]);
    const cached = collection.objects.get(name);
    if (cached) return cached as T;
    return this.kube.getPlatformObject<T>(plural, name);
  }
}

async function waitForSync(watch: ResourceWatch<Catalogued>, kind: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, SYNC_WAIT_MS)));
  try {
    await Promise.race([watch.whenSynced(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (!watch.synced()) {
    throw new TransientError(`${kind} cache of the management cluster has not synced yet`, { retryAfterMs: RETRY_AFTER_MS });
  }
}
