/**
 * The pods/eviction subresource: a policy/v1 Eviction deletes the pod unless a PodDisruptionBudget
 * in its namespace forbids it (429). There is no disruption controller, so the budget is, in order:
 * - `status.disruptionsAllowed` when the PDB's status has it (a test plays the controller; each
 *   eviction decrements it, as the real API does);
 * - otherwise computed from the spec over the namespace's healthy pods that the PDB selects (Running,
 *   not terminating): `maxUnavailable` allows that many (int, or % of them rounded up), `minAvailable`
 *   allows healthy − minAvailable; neither set means no limit.
 * As in the real API, pods that are Pending, Succeeded, Failed or already terminating ignore budgets,
 * and a pod selected by more than one PDB cannot be evicted (500).
 */
import type { DeleteOptions, ObjectService } from './objects.js';
import type { ResourceRegistry } from './registry.js';
import { labelSelectorMatcher, type LabelSelector, type ObjectMatcher } from './selectors.js';
import { ApiError, errors } from './status.js';
import type { ObjectStore } from './store.js';
import type { KubeObject, ResourceDef } from './types.js';

export interface EvictionDeps {
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ObjectService;
}

interface Budget extends KubeObject {
  spec?: { selector?: LabelSelector | null; minAvailable?: number | string; maxUnavailable?: number | string };
  status?: { disruptionsAllowed?: number; [k: string]: unknown };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const phaseOf = (pod: KubeObject) => (pod.status as { phase?: string } | undefined)?.phase;

export function evictPod(d: EvictionDeps, podDef: ResourceDef, ns: string, name: string, body: unknown): object {
  const opts = checkEviction(body, name);
  const pod = d.service.get(podDef, ns, name);
  const dryRun = opts.dryRun?.includes('All') ?? false;
  if (!ignoresBudgets(pod)) {
    const pdbDef = d.registry.lookup('policy', 'v1', 'poddisruptionbudgets')!;
    const budgets = d.store.list(pdbDef, ns, (b) => selectorOf(b as Budget)(pod)).map((e) => e.obj as Budget);
    if (budgets.length > 1) {
      throw new ApiError(500, 'InternalError', 'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    if (budgets.length === 1) spendDisruption(d, pdbDef, podDef, budgets[0], dryRun);
  }
  d.service.delete(podDef, ns, name, opts);
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}

/** The Eviction body must name the pod in the URL; its deleteOptions apply to the pod's deletion. */
function checkEviction(body: unknown, name: string): DeleteOptions {
  if (!isObj(body)) throw errors.badRequest('the body of the request must be a policy/v1 Eviction object');
  if (body.kind !== undefined && body.kind !== 'Eviction') throw errors.badRequest(`kind ${JSON.stringify(body.kind)} is not Eviction`);
  const meta = isObj(body.metadata) ? body.metadata : {};
  if (meta.name !== undefined && meta.name !== name) throw errors.badRequest('name in URL does not match name in Eviction object');
  return isObj(body.deleteOptions) ? { ...(body.deleteOptions as DeleteOptions) } : {};
}

function ignoresBudgets(pod: KubeObject): boolean {
  return !!pod.metadata.deletionTimestamp || ['Pending', 'Succeeded', 'Failed'].includes(phaseOf(pod) ?? '');
}

/** policy/v1: an empty selector selects every pod in the namespace, a missing one selects none. */
function selectorOf(pdb: Budget): ObjectMatcher {
  const sel = pdb.spec?.selector;
  // an invalid operator selects nothing, as the disruption controller treats it
  return sel ? labelSelectorMatcher(sel) : () => false;
}

function scaled(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const pct = /^(\d+)%$/.exec(value);
  return pct ? Math.ceil((Number(pct[1]) * total) / 100) : Number(value) || 0;
}

function spendDisruption(d: EvictionDeps, pdbDef: ResourceDef, podDef: ResourceDef, pdb: Budget, dryRun: boolean): void {
  const ns = pdb.metadata.namespace!;
  const recorded = pdb.status?.disruptionsAllowed;
  if (typeof recorded === 'number') {
    if (recorded <= 0) throw violation(pdb, `The disruption budget ${pdb.metadata.name} allows no more disruptions`);
    if (!dryRun) {
      d.service.update(pdbDef, ns, pdb.metadata.name!, { ...pdb, status: { ...pdb.status, disruptionsAllowed: recorded - 1 } },
        { subresource: 'status', fieldManager: 'lab-eviction' });
    }
    return;
  }
  const select = selectorOf(pdb);
  const healthy = d.store.list(podDef, ns, (p) => select(p) && phaseOf(p) === 'Running' && !p.metadata.deletionTimestamp).length;
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  let desired: number;
  if (maxUnavailable !== undefined) desired = healthy - scaled(maxUnavailable, healthy);
  else if (minAvailable !== undefined) desired = scaled(minAvailable, healthy);
  else return;
  if (healthy - desired <= 0) {
    throw violation(pdb, `The disruption budget ${pdb.metadata.name} needs ${desired} healthy pods and has ${healthy} currently`);
  }
}

function violation(pdb: Budget, cause: string): ApiError {
  return new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', field: '', message: cause }],
  });
}
