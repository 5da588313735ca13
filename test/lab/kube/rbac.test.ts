/** The lab API authorizes like kube-apiserver's RBAC: rules, bindings, aggregation, 403 wording, reviews, the decision log. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthorizationV1Api, CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { startKubeApi, type KubeApiServer } from '../../../lab/kube/index.js';
import { apiFetch } from '../../support/apiFetch.js';
import {
  clusterRole, clusterRoleBinding, createAll, groupSubject, role, roleBinding, saSubject, serviceAccountKubeConfig,
} from '../../support/rbac.js';
import { failure } from './helpers.js';
import { waitFor } from '../../support/waitFor.js';

const NS = 'metal3-system';
const BMH = { group: 'metal3.io', version: 'v1alpha1', plural: 'baremetalhosts', namespace: NS };
const SA_USER = `system:serviceaccount:${NS}:reader`;

describe('lab API RBAC', () => {
  let api: KubeApiServer;
  let admin: KubeConfig;
  let reader: KubeConfig;
  beforeAll(async () => {
    api = await startKubeApi();
    admin = api.kubeConfig();
    reader = await serviceAccountKubeConfig(api, NS, 'reader');
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'other' } } });
  });
  afterAll(async () => api.close());

  it('refuses with kube-apiserver\'s exact 403 for a namespaced list and for the cluster scope', async () => {
    const stranger = await serviceAccountKubeConfig(api, NS, 'stranger');
    const user = `system:serviceaccount:${NS}:stranger`;
    const list = await failure(stranger.makeApiClient(CustomObjectsApi).listNamespacedCustomObject(BMH));
    expect(list).toMatchObject({
      code: 403, reason: 'Forbidden', details: { group: 'metal3.io', kind: 'baremetalhosts' },
      message: `baremetalhosts.metal3.io is forbidden: User "${user}" cannot list resource "baremetalhosts" in API group "metal3.io" in the namespace "${NS}"`,
    });
    const nodes = await failure(stranger.makeApiClient(CoreV1Api).readNode({ name: 'n1' }));
    expect(nodes.message).toBe(`nodes "n1" is forbidden: User "${user}" cannot get resource "nodes" in API group "" at the cluster scope`);
  });

  it('grants a Role\'s verbs only in its RoleBinding\'s namespace', async () => {
    await createAll(admin, [
      role(NS, 'bmh-reader', [{ apiGroups: ['metal3.io'], resources: ['baremetalhosts'], verbs: ['get', 'list', 'watch'] }]),
      roleBinding(NS, 'bmh-reader', { kind: 'Role', name: 'bmh-reader' }, [saSubject(NS, 'reader')]),
    ]);
    const custom = reader.makeApiClient(CustomObjectsApi);
    await expect(custom.listNamespacedCustomObject(BMH)).resolves.toMatchObject({ items: [] });
    expect((await failure(custom.listNamespacedCustomObject({ ...BMH, namespace: 'other' }))).code).toBe(403);
    expect((await failure(custom.listClusterCustomObject(BMH))).message).toContain('at the cluster scope');
    const create = await failure(custom.createNamespacedCustomObject({ ...BMH, body: { apiVersion: 'metal3.io/v1alpha1', kind: 'BareMetalHost', metadata: { name: 'h' } } }));
    expect(create.message).toContain('cannot create resource "baremetalhosts"');
  });

  it('tells apart deletecollection from delete and patch from update, and names subresources', async () => {
    await createAll(admin, [
      role(NS, 'cm-writer', [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'delete', 'patch'] },
        { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      ]),
      roleBinding(NS, 'cm-writer', { kind: 'Role', name: 'cm-writer' }, [saSubject(NS, 'reader')]),
    ]);
    const core = reader.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'c1' } } });
    const merge = { headers: { 'Content-Type': 'application/merge-patch+json' } };
    const token = reader.getCurrentUser()!.token!;
    expect((await apiFetch(api, `/api/v1/namespaces/${NS}/configmaps/c1`, { ...merge, method: 'PATCH', body: '{"data":{"a":"1"}}', token })).status).toBe(200);
    const put = await apiFetch(api, `/api/v1/namespaces/${NS}/configmaps/c1`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"metadata":{"name":"c1"}}', token });
    expect(put.status).toBe(403);
    const all = await apiFetch(api, `/api/v1/namespaces/${NS}/configmaps`, { method: 'DELETE', token });
    expect((await all.json() as { message: string }).message).toContain('cannot deletecollection resource "configmaps"');
    await core.deleteNamespacedConfigMap({ namespace: NS, name: 'c1' });
    const status = await apiFetch(api, `/api/v1/namespaces/${NS}/pods/p1/status`, { method: 'PATCH', ...merge, body: '{}', token });
    expect((await status.json() as { message: string }).message).toBe(
      `pods "p1" is forbidden: User "${SA_USER}" cannot patch resource "pods/status" in API group "" in the namespace "${NS}"`);
    const evict = await apiFetch(api, `/api/v1/namespaces/${NS}/pods/p1/eviction`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', token });
    expect(evict.status).toBe(404); // allowed through RBAC; the pod does not exist
  });

  it('limits a rule with resourceNames to those names, including a watch by metadata.name', async () => {
    await createAll(admin, [
      role(NS, 'one-lease', [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['mine'], verbs: ['get', 'watch', 'list'] }]),
      roleBinding(NS, 'one-lease', { kind: 'Role', name: 'one-lease' }, [saSubject(NS, 'reader')]),
    ]);
    const token = reader.getCurrentUser()!.token!;
    const path = `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
    expect((await apiFetch(api, `${path}/mine`, { token })).status).toBe(404);
    expect((await apiFetch(api, `${path}/theirs`, { token })).status).toBe(403);
    expect((await apiFetch(api, path, { token })).status).toBe(403);
    expect((await apiFetch(api, `${path}?fieldSelector=metadata.name%3Dmine`, { token })).status).toBe(200);
  });

  it('aggregates ClusterRoles by label selector, as the controller manager does', async () => {
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await createAll(admin, [
      clusterRole('fleet-view', [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'lab.example/aggregate-to-fleet-view': 'true' } }] } }),
      clusterRole('fleet-view-nodes', [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }], { labels: { 'lab.example/aggregate-to-fleet-view': 'true' } }),
      clusterRoleBinding('fleet-view', 'fleet-view', [saSubject(NS, 'reader')]),
    ]);
    await waitFor(async () => (await rbac.readClusterRole({ name: 'fleet-view' })).rules?.length === 1, { what: 'aggregated rules' });
    await expect(reader.makeApiClient(CoreV1Api).listNode()).resolves.toBeDefined();
    await rbac.deleteClusterRole({ name: 'fleet-view-nodes' });
    await waitFor(async () => (await rbac.readClusterRole({ name: 'fleet-view' })).rules?.length === 0, { what: 'rules dropped' });
    expect((await failure(reader.makeApiClient(CoreV1Api).listNode())).code).toBe(403);
  });

  it('gives every authenticated user discovery and self-reviews, and no other path', async () => {
    const token = reader.getCurrentUser()!.token!;
    for (const path of ['/api', '/apis', '/api/v1', '/apis/metal3.io/v1alpha1', '/version', '/openapi/v3']) {
      expect([path, (await apiFetch(api, path, { token })).status]).toEqual([path, 200]);
    }
    const metrics = await apiFetch(api, '/metrics', { token });
    expect(await metrics.json()).toMatchObject({ code: 403, message: `forbidden: User "${SA_USER}" cannot get path "/metrics"` });
  });

  it('answers SelfSubjectAccessReview and SubjectAccessReview from the same rules', async () => {
    const auditor = await serviceAccountKubeConfig(api, NS, 'auditor');
    await createAll(admin, [
      role(NS, 'auditor', [{ apiGroups: ['metal3.io'], resources: ['baremetalhosts'], verbs: ['list', 'watch'] }]),
      roleBinding(NS, 'auditor', { kind: 'Role', name: 'auditor' }, [saSubject(NS, 'auditor')]),
    ]);
    const self = await auditor.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({ body: { spec: {
      resourceAttributes: { namespace: NS, verb: 'list', group: 'metal3.io', resource: 'baremetalhosts' },
    } } });
    expect(self.status).toEqual({ allowed: true, reason: `RBAC: allowed by RoleBinding "auditor/${NS}" of Role "auditor" to ServiceAccount "auditor/${NS}"` });
    const authz = admin.makeApiClient(AuthorizationV1Api);
    const sar = (verb: string, groups: string[] = []) => authz.createSubjectAccessReview({ body: { spec: {
      user: `system:serviceaccount:${NS}:auditor`, groups, resourceAttributes: { namespace: NS, verb, group: 'metal3.io', resource: 'baremetalhosts' },
    } } });
    expect((await sar('watch')).status?.allowed).toBe(true);
    expect((await sar('delete')).status?.allowed).toBe(false);
    await createAll(admin, [roleBinding(NS, 'ops', { kind: 'ClusterRole', name: 'cluster-admin' }, [groupSubject('ops')])]);
    expect((await sar('delete', ['ops'])).status?.allowed).toBe(true);
  });

  it('records every decision: user, verb, group, resource, subresource, namespace, and whether it was allowed', async () => {
    const recorded = await serviceAccountKubeConfig(api, NS, 'recorded');
    await createAll(admin, [
      role(NS, 'recorded', [{ apiGroups: ['metal3.io'], resources: ['baremetalhosts'], verbs: ['list'] }]),
      roleBinding(NS, 'recorded', { kind: 'Role', name: 'recorded' }, [saSubject(NS, 'recorded')]),
    ]);
    const user = `system:serviceaccount:${NS}:recorded`;
    await failure(recorded.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: NS }));
    await recorded.makeApiClient(CustomObjectsApi).listNamespacedCustomObject(BMH);
    expect(api.authz.records(user)).toEqual([
      expect.objectContaining({ verb: 'list', group: '', resource: 'secrets', subresource: '', namespace: NS, allowed: false, count: 1 }),
      expect.objectContaining({ verb: 'list', group: 'metal3.io', resource: 'baremetalhosts', namespace: NS, allowed: true, count: 1 }),
    ]);
    expect(api.authz.denied(user)).toHaveLength(1);
  });
});
