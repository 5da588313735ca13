import { describe, expect, it } from '@jest/globals';
import { validateAutoNodes } from '../../../../platform/autoNodes/validate.js';
import { parseCron, windowActive } from '../../../../platform/dynamic/cron.js';

const dyn = (fields: object) => [{ provider: 'm3', dynamic: [{ name: 'burst', ...fields }] }];
const P = 'privateNodes.autoNodes[0].dynamic[0]';

describe('dynamic pool validation', () => {
  it('fills in Karpenter defaults for a pool that only has a name', () => {
    const r = validateAutoNodes(dyn({}));
    expect(r.ok).toBe(true);
    const pool = r.ok ? r.config.entries[0].dynamic[0] : undefined;
    expect(pool).toMatchObject({
      name: 'burst', limits: {}, weight: 0, terminationGracePeriod: '30s', expireAfterMs: 720 * 3_600_000,
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfterMs: 30_000, budgets: [{ nodes: { percent: 10 } }] },
    });
  });

  it('parses limits, budgets with schedules, durations and weight', () => {
    const r = validateAutoNodes(dyn({
      limits: { cpu: '100', memory: '512Gi', 'nvidia.com/gpu': '16', nodes: '4' }, weight: 10, expireAfter: 'Never',
      disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '1m30s', budgets: [{ nodes: '20%' }, { nodes: '0', schedule: '@daily', duration: '10m', reasons: ['Underutilized'] }] },
    }));
    const pool = r.ok ? r.config.entries[0].dynamic[0] : undefined;
    expect(pool?.limits).toEqual({ cpu: 100, memory: 512 * 2 ** 30, 'nvidia.com/gpu': 16, nodes: 4 });
    expect(pool?.expireAfterMs).toBeUndefined();
    expect(pool?.disruption).toEqual({
      consolidationPolicy: 'WhenEmpty', consolidateAfterMs: 90_000,
      budgets: [{ nodes: { percent: 20 } }, { nodes: { count: 0 }, schedule: '@daily', durationMs: 600_000, reasons: ['Underutilized'] }],
    });
  });

  it.each([
    ['a malformed limit quantity', { limits: { cpu: 'lots' } }, `${P}.limits.cpu: must be a non-negative quantity`],
    ['a fractional node limit', { limits: { nodes: '2.5' } }, `${P}.limits.nodes: must be a whole number of nodes`],
    ['a budget above 100%', { disruption: { budgets: [{ nodes: '120%' }] } }, `${P}.disruption.budgets[0].nodes: must be a whole number or a percentage`],
    ['a schedule without duration', { disruption: { budgets: [{ nodes: '0', schedule: '@daily' }] } }, `${P}.disruption.budgets[0]: schedule and duration must be set together`],
    ['a malformed schedule', { disruption: { budgets: [{ nodes: '0', schedule: '61 * * * *', duration: '1h' }] } }, `${P}.disruption.budgets[0].schedule: invalid minute field "61"`],
    ['a malformed budget duration', { disruption: { budgets: [{ nodes: '0', schedule: '@daily', duration: 'a while' }] } }, `${P}.disruption.budgets[0].duration: must be a duration`],
    ['an unknown budget reason', { disruption: { budgets: [{ nodes: '1', reasons: ['Bored'] }] } }, `${P}.disruption.budgets[0].reasons: must be a list of Empty, Underutilized, Drifted`],
    ['an unknown policy', { disruption: { consolidationPolicy: 'Sometimes' } }, `${P}.disruption.consolidationPolicy: must be one of WhenEmpty, WhenEmptyOrUnderutilized`],
    ['a malformed consolidateAfter', { disruption: { consolidateAfter: '10 seconds' } }, `${P}.disruption.consolidateAfter: must be a duration`],
    ['a malformed expireAfter', { expireAfter: '30d' }, `${P}.expireAfter: must be a duration`],
    ['a weight out of range', { weight: 101 }, `${P}.weight: must be an integer from 1 to 100`],
  ])('rejects %s and names the field', (_what, fields, message) => {
    const r = validateAutoNodes(dyn(fields));
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.join('\n')).toContain(message);
  });
});

describe('budget schedules', () => {
  it('opens a window of the given duration at each firing, in UTC', () => {
    const daily = parseCron('@daily');
    if (!daily.ok) throw new Error(daily.error);
    expect(windowActive(daily.schedule, 600_000, new Date('2026-12-01T00:09:59Z'))).toBe(true);
    expect(windowActive(daily.schedule, 600_000, new Date('2026-12-01T00:10:00Z'))).toBe(false);
    const weekdays = parseCron('30 9-17/4 * * 1-5');
    if (!weekdays.ok) throw new Error(weekdays.error);
    expect(weekdays.schedule.firesAt(new Date('2026-12-01T13:30:00Z'))).toBe(true); // Tuesday 13:30
    expect(weekdays.schedule.firesAt(new Date('2026-12-05T13:30:00Z'))).toBe(false); // Saturday
    expect(weekdays.schedule.firesAt(new Date('2026-12-01T11:30:00Z'))).toBe(false);
  });
});
