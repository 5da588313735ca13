/**
 * Validating admission as kube-apiserver runs it: after defaulting and schema validation, before the
 * object is stored, every registered webhook whose rule matches the write sees the new object (and, on
 * update, the old one). A denial is a 403 `admission webhook "<name>" denied the request: <message>`;
 * a webhook that cannot be called fails the write when its failurePolicy is Fail (500), and is skipped
 * when it is Ignore. Webhooks match the main resource only, as a rule naming `baremetalhosts` does.
 */
import { ApiError } from './status.js';
import type { KubeObject, ResourceDef } from './types.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  object: KubeObject;
  /** The stored object, on UPDATE. */
  oldObject?: KubeObject;
}

/** One `webhooks[]` entry of a ValidatingWebhookConfiguration, with its handler in-process. */
export interface ValidatingWebhook {
  /** `webhooks[].name`, e.g. `baremetalhost.metal3.io`. */
  name: string;
  rule: { group: string; version: string; resource: string; operations: AdmissionOperation[] };
  failurePolicy: 'Fail' | 'Ignore';
  /** The webhook's endpoint as it would appear in the apiserver's error when it cannot be reached. */
  url: string;
  /** The reasons to deny the request, in the webhook's words; empty to allow. */
  validate(req: AdmissionRequest): string[];
}

/**
 * Go's `kerrors.NewAggregate(errs).Error()`: one message as is, several de-duplicated in `[a, b]`,
 * which is how controller-runtime webhooks phrase a denial with more than one reason.
 */
export function aggregateMessage(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(', ')}]`;
}

export class AdmissionChain {
  private readonly webhooks: ValidatingWebhook[] = [];
  private readonly unreachable = new Set<string>();
  private readonly denied = new Map<string, number>();

  register(webhook: ValidatingWebhook): void {
    this.webhooks.push(webhook);
  }

  /** Fault: the webhook's service stops answering (connection refused), as when its pod is down. */
  setReachable(name: string, reachable: boolean): void {
    if (reachable) this.unreachable.delete(name);
    else this.unreachable.add(name);
  }

  /** Denials so far, per webhook name. */
  denials(): Record<string, number> {
    return Object.fromEntries(this.denied);
  }

  resetDenials(): void {
    this.denied.clear();
  }

  review(def: ResourceDef, subresource: string | undefined, req: AdmissionRequest): void {
    if (subresource) return;
    for (const wh of this.webhooks) {
      const r = wh.rule;
      if (r.group !== def.group || r.version !== def.version || r.resource !== def.plural || !r.operations.includes(req.operation)) continue;
      let reasons: string[];
      try {
        if (this.unreachable.has(wh.name)) throw new Error(`Post "${wh.url}?timeout=10s": dial tcp: connect: connection refused`);
        reasons = wh.validate(req);
      } catch (e) {
        if (wh.failurePolicy === 'Ignore') continue;
        throw new ApiError(500, 'InternalError', `Internal error occurred: failed calling webhook "${wh.name}": failed to call webhook: ${(e as Error).message}`);
      }
      if (reasons.length === 0) continue;
      this.denied.set(wh.name, (this.denied.get(wh.name) ?? 0) + 1);
      throw new ApiError(403, 'Forbidden', `admission webhook "${wh.name}" denied the request: ${aggregateMessage(reasons)}`);
    }
  }
}
