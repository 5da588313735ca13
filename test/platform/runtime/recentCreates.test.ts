import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { RecentCreates } from '../../../platform/runtime/recentCreates.js';

const claim = (name: string, resourceVersion: string, phase = 'Pending') =>
  ({ metadata: { name, namespace: 'p-demo', resourceVersion }, status: { phase } }) as KubernetesObject & { status: { phase: string } };

describe('RecentCreates', () => {
  it('adds an own create the informer does not list yet', () => {
    const recent = new RecentCreates<ReturnType<typeof claim>>(30_000);
    recent.created(claim('t1-burst-a', '7'));
    expect(recent.overlay([claim('t1-burst-old', '3')]).map((c) => c.metadata!.name)).toEqual(['t1-burst-old', 't1-burst-a']);
  });

  it('uses the informer\'s copy once it lists the object, whichever version it has', () => {
    const recent = new RecentCreates<ReturnType<typeof claim>>(30_000);
    recent.created(claim('t1-burst-a', '7'));
    const later = claim('t1-burst-a', '9', 'Launching');
    expect(recent.overlay([later])).toEqual([later]);
    expect(recent.overlay([])).toEqual([]); // and forgets its own copy
  });

  it('forgets an own create when the informer delivers its delete, or after the ttl', () => {
    let now = 0;
    const recent = new RecentCreates<ReturnType<typeof claim>>(30_000, () => now);
    recent.created(claim('t1-burst-a', '7'));
    recent.created(claim('t1-burst-b', '8'));
    recent.seen(claim('t1-burst-a', '10'));
    expect(recent.overlay([]).map((c) => c.metadata!.name)).toEqual(['t1-burst-b']);
    now = 30_001;
    expect(recent.overlay([])).toEqual([]);
  });

  it('forgets an own create whose watch event came before the create\'s answer', () => {
    const recent = new RecentCreates<ReturnType<typeof claim>>(30_000);
    const listed = claim('t1-burst-a', '7');
    recent.seen(listed);
    recent.created(listed);
    expect(recent.overlay([listed])).toEqual([listed]);
  });
});
