/**
 * An informer's objects plus those this process just created and the informer does not list yet (the
 * API's answer to the create), so a controller sees its own creates without a live LIST: the dynamic
 * provisioner's next pass must count the claims of the last one, or it would create them again. Once
 * the informer lists the object (whatever version) or delivers its delete, the informer's copy wins;
 * a create it never delivers (deleted before the watch saw it) is forgotten after `ttlMs`. Only
 * creates: an own update is not overlaid, so no resourceVersions are ever compared.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export class RecentCreates<T extends KubernetesObject> {
  private readonly pending = new Map<string, { obj: T; at: number }>();

  constructor(private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /** Records the API's answer to this process's create. */
  created(obj: T): void {
    this.pending.set(keyOf(obj), { obj, at: this.now() });
  }

  /** Feed every informer event here. */
  seen(obj: T): void {
    this.pending.delete(keyOf(obj));
  }

  /** The informer's objects and the own creates it does not list yet. */
  overlay(listed: T[]): T[] {
    if (this.pending.size === 0) return listed;
    const expired = this.now() - this.ttlMs;
    const keys = new Set(listed.map(keyOf));
    const out = [...listed];
    for (const [key, own] of this.pending) {
      if (keys.has(key) || own.at < expired) this.pending.delete(key);
      else out.push(own.obj);
    }
    return out;
  }
}

const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
