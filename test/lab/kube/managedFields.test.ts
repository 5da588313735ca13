import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { recordUpdate } from '../../../lab/kube/managedFields.js';
import type { ListKeys } from '../../../lab/kube/listMaps.js';
import type { KubeObject } from '../../../lab/kube/types.js';
import { referenceRecordUpdate } from './reference/managedFieldsV3.js';

/** status.conditions and spec.ports are list-maps (by type, by port), everything else atomic. */
const listKeys: ListKeys = (path) => {
  const at = path.join('.');
  return at === 'status.conditions' ? ['type'] : at === 'spec.ports' ? ['port', 'protocol'] : undefined;
};

const key = fc.constantFrom('a', 'b', 'c', 'online', 'image', 'k:x', 'f:y');
const leaf = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom('x', 'y', ''), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([]));
const tree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
})).node;
const conditions = fc.array(fc.record({ type: fc.constantFrom('Ready', 'Healthy', 'Synced'), status: fc.constantFrom('True', 'False') }, { requiredKeys: ['status'] }), { maxLength: 3 });
const ports = fc.array(fc.record({ port: fc.integer({ min: 1, max: 3 }), protocol: fc.constantFrom('TCP', 'UDP'), name: fc.constantFrom('p', 'q') }), { maxLength: 3 });
const labels = fc.dictionary(fc.constantFrom('app', 'tier', 'claim'), fc.constantFrom('one', 'two'), { maxKeys: 3 });

/** A fresh object of varied shape. */
const anObject = fc.record({
  labels, annotations: labels, finalizers: fc.array(fc.constantFrom('f1', 'f2'), { maxLength: 2 }),
  spec: fc.record({ online: fc.boolean(), image: tree, ports, extra: tree }, { requiredKeys: [] }),
  status: fc.record({ conditions, hardware: tree }, { requiredKeys: [] }),
}, { requiredKeys: ['spec'] }).map(({ labels: l, annotations, finalizers, spec, status }): KubeObject => ({
  apiVersion: 'example.io/v1', kind: 'Widget',
  metadata: { name: 'w', namespace: 'ns', uid: 'u-1', resourceVersion: '7', labels: l, annotations, finalizers },
  spec, ...(status ? { status } : {}),
}));

/** How each top-level part of the next version relates to the previous one. */
const change = fc.constantFrom('same object', 'equal copy', 'fresh', 'gone');
const aWrite = fc.record({
  fresh: anObject,
  parts: fc.record({ spec: change, status: change, labels: change, annotations: change }),
  manager: fc.constantFrom('kubectl', 'metal3-provider', 'baremetal-operator'),
  subresource: fc.constantFrom(undefined, 'status'),
});

type AWrite = typeof aWrite extends fc.Arbitrary<infer T> ? T : never;

function nextVersion(prev: KubeObject, w: AWrite): KubeObject {
  const next: KubeObject = { ...prev, metadata: { ...prev.metadata } };
  const pick = (how: string, was: unknown, fresh: unknown) =>
    how === 'same object' ? was : how === 'equal copy' ? (was === undefined ? undefined : structuredClone(was)) : how === 'fresh' ? fresh : undefined;
  const set = (target: Record<string, unknown>, k: string, v: unknown) => (v === undefined ? delete target[k] : (target[k] = v));
  set(next, 'spec', pick(w.parts.spec, prev.spec, w.fresh.spec));
  set(next, 'status', pick(w.parts.status, prev.status, w.fresh.status));
  set(next.metadata, 'labels', pick(w.parts.labels, prev.metadata.labels, w.fresh.metadata.labels));
  set(next.metadata, 'annotations', pick(w.parts.annotations, prev.metadata.annotations, w.fresh.metadata.annotations));
  return next;
}

/** Both implementations on their own copy of `next`'s metadata (recordUpdate writes metadata.managedFields). */
function both(prev: KubeObject | undefined, next: KubeObject, manager: string, subresource: string | undefined, now: string) {
  const mine: KubeObject = { ...next, metadata: { ...next.metadata } };
  const theirs: KubeObject = { ...next, metadata: { ...next.metadata } };
  recordUpdate(prev, mine, manager, subresource, now, listKeys);
  referenceRecordUpdate(prev, theirs, manager, subresource, now, listKeys);
  return { mine, theirs };
}

describe('managedFields after an update', () => {
  it('are exactly what the session-3 algorithm wrote (same entries, same field order) over varied objects and write chains', () => {
    fc.assert(fc.property(anObject, fc.array(aWrite, { minLength: 1, maxLength: 6 }), (first, writes) => {
      let { mine: stored, theirs } = both(undefined, first, 'creator', undefined, '2026-12-01T10:00:00Z');
      expect(JSON.stringify(stored.metadata.managedFields)).toBe(JSON.stringify(theirs.metadata.managedFields));
      writes.forEach((w, i) => {
        const next = nextVersion(stored, w);
        const result = both(stored, next, w.manager, w.subresource, `2026-12-01T10:0${i + 1}:00Z`);
        expect(JSON.stringify(result.mine.metadata.managedFields)).toBe(JSON.stringify(result.theirs.metadata.managedFields));
        expect('managedFields' in result.mine.metadata).toBe('managedFields' in result.theirs.metadata);
        ({ mine: stored, theirs } = result);
      });
    }), { numRuns: 400 });
  });

  it('give the writer the fields it changed and take them from their previous owner', () => {
    const created: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { a: '1', b: '2' } };
    recordUpdate(undefined, created, 'creator', undefined, 't0');
    const updated: KubeObject = { ...created, metadata: { ...created.metadata }, data: { a: '1', b: '3' } };
    recordUpdate(created, updated, 'editor', undefined, 't1');
    expect(updated.metadata.managedFields).toEqual([
      { manager: 'creator', operation: 'Update', apiVersion: 'v1', time: 't1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } },
      { manager: 'editor', operation: 'Update', apiVersion: 'v1', time: 't1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:b': {} } } },
    ]);
  });
});
