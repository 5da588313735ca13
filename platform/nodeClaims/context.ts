/** What every lifecycle step is handed by the orchestrator. */
import type { NodeProvider } from '../../plugin/contract.js';
import type { PlatformDeps } from '../deps.js';
import type { ProjectRules } from '../projects/project.js';
import type { ProjectStore } from '../projects/projectStore.js';
import type { NodeTypeCandidate } from '../scheduling/pickNodeType.js';
import type { TenantDirectory } from '../tenants/tenantDirectory.js';
import type { ClaimStore } from './claimStore.js';
import type { PoolDirectory } from './poolDirectory.js';
import { claimRef, type NodeClaim } from './types.js';

export interface StepResult {
  /** Reconcile again after this long (the orchestrator takes the minimum over steps). */
  requeueAfterMs?: number;
  /** Later steps must not run in this reconcile. */
  halt?: boolean;
}

export interface StepContext {
  deps: PlatformDeps;
  provider: NodeProvider;
  store: ClaimStore;
  tenants: TenantDirectory;
  backoff: Backoff;
  signal: AbortSignal;
  /** `<tenant key>/<node name>` → `<namespace>/<claim>` for joined claims, so a Node's change requeues its claim. */
  nodeNames: Map<string, string>;
  projects: ProjectStore;
  /** What each claim's pool wants now (for the drift step). */
  pools: Pick<PoolDirectory, 'poolOf' | 'poolOfLive'>;
  /** The controller's informer caches: a NodeType by full name, a namespace's Project rules (undefined when none). */
  cached: { nodeType(name: string): NodeTypeCandidate | undefined; project(namespace: string): ProjectRules | undefined };
}

export type Step = (ctx: StepContext, claim: NodeClaim) => Promise<StepResult>;

/** Exponential per-claim backoff (capacity waits, provider retries); reset on progress. */
export class Backoff {
  private readonly attempts = new Map<string, number>();
  constructor(private readonly initialMs: number, private readonly maxMs: number) {}
  next(uid: string): number {
    const n = this.attempts.get(uid) ?? 0;
    this.attempts.set(uid, n + 1);
    return Math.min(this.maxMs, this.initialMs * 2 ** n);
  }
  reset(uid: string): void {
    this.attempts.delete(uid);
  }
}

export function recordEvent(ctx: StepContext, claim: NodeClaim, type: 'Normal' | 'Warning', reason: string, message: string): void {
  ctx.deps.events.record(claimRef(claim), type, reason, message);
}

export function secondsSinceCreation(ctx: StepContext, claim: NodeClaim): number {
  const created = new Date(claim.metadata.creationTimestamp ?? ctx.deps.clock.now()).getTime();
  return Math.max(0, (ctx.deps.clock.now().getTime() - created) / 1000);
}
