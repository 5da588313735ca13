import { describe, expect, it } from '@jest/globals';
import { planStaticPool, type PoolPlan } from '../../../../platform/autoNodes/driftRollout.js';
import type { Condition, NodeClaim } from '../../../../platform/nodeClaims/types.js';

type State = 'ready' | 'notReady' | 'pending' | 'unschedulable' | 'failed';

/** A claim of pool `gpu`: `drifted` sets NotDrifted=False; `replaces` marks a drift replacement. */
function aPoolClaim(name: string, state: State, opts: { drifted?: boolean; replaces?: string; created?: string; deleting?: boolean } = {}): NodeClaim {
  const at = '2026-01-01T00:00:00Z';
  const cond = (type: string, status: Condition['status'], reason = type, message = ''): Condition => ({ type, status, reason, message, lastTransitionTime: at });
  const conditions: Condition[] = [];
  if (state === 'ready' || state === 'notReady') conditions.push(cond('Joined', 'True'), cond('NodeReady', state === 'ready' ? 'True' : 'False'));
  if (state === 'unschedulable') conditions.push(cond('Scheduled', 'False', 'InsufficientCapacity', 'matching NodeTypes have no free capacity: m3.gpu'));
  if (opts.drifted !== undefined) conditions.push(cond('NotDrifted', opts.drifted ? 'False' : 'True', opts.drifted ? 'RequirementsDrifted' : 'NotDrifted', 'no longer matches pool gpu: x'));
  return {
    metadata: {
      name, creationTimestamp: (opts.created ?? at) as unknown as Date,
      ...(opts.deleting ? { deletionTimestamp: at as unknown as Date } : {}),
      ...(opts.replaces ? { annotations: { 'vcluster.loft.sh/replaces': opts.replaces } } : {}),
    },
    spec: { providerRef: 'm3' },
    status: {
      phase: state === 'ready' || state === 'notReady' ? 'Available' : state === 'failed' ? 'Failed' : 'Pending',
      ...(state === 'failed' ? { reason: 'ProvisioningError', message: 'Image checksum mismatch' } : {}),
      conditions,
    },
  };
}

const deleted = (plan: PoolPlan) => plan.delete.map((d) => `${d.claim.metadata.name}:${d.reason}`);

describe('planStaticPool: rolling a static pool’s drifted claims', () => {
  it('does nothing when every claim matches and the pool is at its quantity', () => {
    const plan = planStaticPool('gpu', [aPoolClaim('a', 'ready', { drifted: false }), aPoolClaim('b', 'ready')], 2);
    expect(plan).toEqual({ create: 0, delete: [] });
  });

  it('starts with one replacement for the oldest joined drifted claim, deleting nothing', () => {
    const plan = planStaticPool('gpu', [
      aPoolClaim('young', 'ready', { drifted: true, created: '2026-01-03T00:00:00Z' }),
      aPoolClaim('old', 'ready', { drifted: true, created: '2026-01-02T00:00:00Z' }),
    ], 2);
    expect(plan.replace?.metadata.name).toBe('old');
    expect(plan.delete).toEqual([]);
    expect(plan.create).toBe(0);
    expect(plan.drift).toMatchObject({ state: 'Replacing', message: expect.stringContaining('replacing drifted NodeClaim old, one at a time') });
  });

  it('waits while the replacement has not joined: no second replacement, no delete', () => {
    const plan = planStaticPool('gpu', [
      aPoolClaim('a', 'ready', { drifted: true }), aPoolClaim('b', 'ready', { drifted: true }), aPoolClaim('new', 'pending', { replaces: 'a' }),
    ], 2);
    expect(plan).toMatchObject({ create: 0, delete: [], drift: { state: 'Replacing' } });
    expect(plan.replace).toBeUndefined();
  });

  it('deletes the drifted claim once its replacement joined with its Node Ready, not before', () => {
    const joinedNotReady = planStaticPool('gpu', [aPoolClaim('a', 'ready', { drifted: true }), aPoolClaim('new', 'notReady', { replaces: 'a' })], 1);
    expect(joinedNotReady.delete).toEqual([]);
    const ready = planStaticPool('gpu', [aPoolClaim('a', 'ready', { drifted: true }), aPoolClaim('new', 'ready', { replaces: 'a', drifted: false })], 1);
    expect(deleted(ready)).toEqual(['a:Drifted']);
    expect(ready.replace).toBeUndefined();
    expect(ready.create).toBe(0);
  });

  it('moves on to the next drifted claim only after the replaced one is gone', () => {
    const plan = planStaticPool('gpu', [
      aPoolClaim('a', 'ready', { drifted: true, deleting: true }), aPoolClaim('b', 'ready', { drifted: true }), aPoolClaim('new', 'ready', { replaces: 'a' }),
    ], 2);
    expect(plan.replace?.metadata.name).toBe('b');
    expect(plan.delete).toEqual([]);
  });

  it('cancels a replacement that has not joined when the drift is reverted', () => {
    const plan = planStaticPool('gpu', [aPoolClaim('a', 'ready', { drifted: false }), aPoolClaim('new', 'pending', { replaces: 'a' })], 1);
    expect(deleted(plan)).toEqual(['new:DriftCancelled']);
    expect(plan.delete[0].message).toContain('NodeClaim a matches its pool again');
    expect(plan.create).toBe(0);
    expect(plan.replace).toBeUndefined();
    expect(plan.drift).toBeUndefined();
  });

  it('cancels a replacement that drifted itself, so the next pass makes one as the pool is now', () => {
    const plan = planStaticPool('gpu', [aPoolClaim('a', 'ready', { drifted: true }), aPoolClaim('new', 'pending', { replaces: 'a', drifted: true })], 1);
    expect(deleted(plan)).toEqual(['new:DriftCancelled']);
    expect(plan.replace).toBeUndefined();
  });

  it('deletes nothing and says why while the replacement cannot be scheduled', () => {
    const plan = planStaticPool('gpu', [aPoolClaim('a', 'ready', { drifted: true }), aPoolClaim('new', 'unschedulable', { replaces: 'a' })], 1);
    expect(plan.delete).toEqual([]);
    expect(plan.drift).toEqual({
      state: 'ReplacementBlocked',
      message: 'pool gpu: replacement NodeClaim new for drifted a cannot be scheduled (InsufficientCapacity: matching NodeTypes have no free capacity: m3.gpu); nothing is deleted until it can',
    });
  });

  it('keeps the drifted claim and does not retry a Failed replacement', () => {
    const plan = planStaticPool('gpu', [aPoolClaim('a', 'ready', { drifted: true }), aPoolClaim('new', 'failed', { replaces: 'a' })], 1);
    expect(plan).toMatchObject({ create: 0, delete: [], drift: { state: 'ReplacementFailed' } });
    expect(plan.replace).toBeUndefined();
    expect(plan.drift!.message).toContain('failed (ProvisioningError: Image checksum mismatch); a is kept: delete new to try again');
  });

  it('re-creates drifted claims that have not joined without a surge, and leaves Failed ones to the operator', () => {
    const plan = planStaticPool('gpu', [
      aPoolClaim('a', 'ready'), aPoolClaim('p', 'pending', { drifted: true }), aPoolClaim('f', 'failed', { drifted: true }),
    ], 3);
    expect(deleted(plan)).toEqual(['p:Drifted']);
    expect(plan.replace).toBeUndefined();
  });

  it('scales down without the replacement and cancels the replacement of a claim it deletes', () => {
    const plan = planStaticPool('gpu', [
      aPoolClaim('a', 'ready', { drifted: true }), aPoolClaim('b', 'ready', { created: '2026-01-02T00:00:00Z' }), aPoolClaim('new', 'pending', { replaces: 'a' }),
    ], 1);
    expect(deleted(plan)).toEqual(['a:ScaleDown', 'new:ScaleDown']);
    expect(plan.create).toBe(0);
  });

  it('never takes the last Ready node on scale-down during a drift: NotReady and unjoined claims go first', () => {
    const plan = planStaticPool('gpu', [
      aPoolClaim('a', 'ready', { drifted: true }), aPoolClaim('sick', 'notReady'), aPoolClaim('new', 'pending', { replaces: 'a' }),
    ], 1);
    expect(deleted(plan)).toEqual(['sick:ScaleDown']);
    expect(plan.drift?.state).toBe('Replacing');
  });

  it('does not start a replacement while the pool is below its quantity', () => {
    const plan = planStaticPool('gpu', [aPoolClaim('a', 'ready', { drifted: true })], 2);
    expect(plan).toMatchObject({ create: 1, delete: [] });
    expect(plan.replace).toBeUndefined();
    expect(plan.drift?.state).toBe('Replacing');
  });
});
