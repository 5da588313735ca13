import { describe, expect, it } from '@jest/globals';
import { allowedDisruptions } from '../../../platform/dynamic/budgets.js';

const now = new Date('2026-12-01T12:00:30Z');

describe('disruption budgets', () => {
  it('rounds a percentage of the pool up and subtracts disruptions in progress', () => {
    expect(allowedDisruptions([{ nodes: { percent: 34 } }], 'Empty', 3, 0, now).allowed).toBe(2);
    expect(allowedDisruptions([{ nodes: { percent: 34 } }], 'Empty', 3, 2, now).allowed).toBe(0);
    expect(allowedDisruptions([{ nodes: { percent: 10 } }], 'Empty', 1, 0, now).allowed).toBe(1);
  });

  it('takes the smallest active budget, and only budgets for the reason', () => {
    const budgets = [{ nodes: { count: 5 } }, { nodes: { count: 1 }, reasons: ['Underutilized' as const] }];
    expect(allowedDisruptions(budgets, 'Empty', 10, 0, now).allowed).toBe(5);
    expect(allowedDisruptions(budgets, 'Underutilized', 10, 0, now).allowed).toBe(1);
  });

  it('applies a scheduled budget only inside its window', () => {
    const budgets = [{ nodes: { count: 0 }, schedule: '0 12 * * *', durationMs: 60_000 }];
    expect(allowedDisruptions(budgets, 'Empty', 4, 0, now).allowed).toBe(0);
    expect(allowedDisruptions(budgets, 'Empty', 4, 0, new Date('2026-12-01T12:01:00Z')).allowed).toBe(Infinity);
  });
});
