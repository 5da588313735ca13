/**
 * The pods/binding subresource, as kube-scheduler uses it: a core/v1 Binding whose `target` names a
 * Node sets the pod's `spec.nodeName`. A pod already bound answers 409, as the real API does.
 */
import type { ObjectService } from './objects.js';
import { errors } from './status.js';
import type { KubeObject, ResourceDef } from './types.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function bindPod(service: ObjectService, podDef: ResourceDef, ns: string, name: string, body: unknown): object {
  if (!isObj(body) || (body.kind !== undefined && body.kind !== 'Binding')) throw errors.badRequest('the body of the request must be a v1 Binding object');
  const target = isObj(body.target) ? body.target : {};
  if (typeof target.name !== 'string' || target.name === '') {
    throw errors.invalid(podDef, name, [{ field: 'target.name', reason: 'FieldValueRequired', message: 'Required value' }]);
  }
  const pod = service.get(podDef, ns, name) as KubeObject & { spec?: { nodeName?: string } };
  if (pod.spec?.nodeName) {
    throw errors.conflict(podDef, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  }
  service.update(podDef, ns, name, { ...pod, spec: { ...pod.spec, nodeName: target.name } }, { fieldManager: 'kube-scheduler' });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
