import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { LabelSelector } from '../../../providers/metal3/spec.js';
import { matchesLabelSelector } from '../../../providers/metal3/hosts/selector.js';

const labels = { 'gpu-model': 'h100', 'gpu-count': '8', rack: 'r1' };

describe('matchesLabelSelector', () => {
  it.each<[string, LabelSelector | undefined, boolean]>([
    ['undefined selector', undefined, true],
    ['empty selector', {}, true],
    ['matching matchLabels', { matchLabels: { 'gpu-model': 'h100', rack: 'r1' } }, true],
    ['wrong value', { matchLabels: { 'gpu-model': 'a100' } }, false],
    ['missing label', { matchLabels: { zone: 'z1' } }, false],
    ['In hit', { matchExpressions: [{ key: 'rack', operator: 'In', values: ['r0', 'r1'] }] }, true],
    ['In miss', { matchExpressions: [{ key: 'rack', operator: 'In', values: ['r2'] }] }, false],
    ['In on absent key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['r1'] }] }, false],
    ['NotIn hit', { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['r1'] }] }, false],
    ['NotIn miss', { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['r2'] }] }, true],
    ['NotIn on absent key', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['x'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'rack', operator: 'Exists' }] }, true],
    ['Exists absent', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist present', { matchExpressions: [{ key: 'rack', operator: 'DoesNotExist' }] }, false],
    ['NotExists alias', { matchExpressions: [{ key: 'zone', operator: 'NotExists' as 'DoesNotExist' }] }, true],
    ['unknown operator fails closed', { matchExpressions: [{ key: 'rack', operator: 'Gt' as 'In', values: ['0'] }] }, false],
    ['AND of labels and expressions', { matchLabels: { rack: 'r1' }, matchExpressions: [{ key: 'gpu-count', operator: 'In', values: ['4'] }] }, false],
  ])('%s', (_name, selector, expected) => {
    expect(matchesLabelSelector(labels, selector)).toBe(expected);
  });

  it('treats undefined labels as no labels', () => {
    expect(matchesLabelSelector(undefined, { matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] })).toBe(true);
    expect(matchesLabelSelector(undefined, { matchLabels: { a: 'b' } })).toBe(false);
  });

  it('does not match inherited object keys such as "constructor"', () => {
    expect(matchesLabelSelector({}, { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] })).toBe(false);
  });

  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const value = fc.constantFrom('x', 'y', 'z');
  const labelMap = fc.dictionary(key, value);

  it('property: a selector built from a subset of the labels always matches them', () => {
    fc.assert(
      fc.property(labelMap, fc.func(fc.boolean()), (have, keep) => {
        const subset = Object.fromEntries(Object.entries(have).filter(([k]) => keep(k)));
        expect(matchesLabelSelector(have, { matchLabels: subset })).toBe(true);
        const exprs = Object.entries(subset).map(([k, v]) => ({ key: k, operator: 'In' as const, values: [v, 'other'] }));
        expect(matchesLabelSelector(have, { matchExpressions: exprs })).toBe(true);
      }),
    );
  });

  it('property: In and NotIn are complements when the key is present; Exists and DoesNotExist always are', () => {
    fc.assert(
      fc.property(labelMap, key, fc.array(value, { maxLength: 3 }), (have, k, values) => {
        const isIn = matchesLabelSelector(have, { matchExpressions: [{ key: k, operator: 'In', values }] });
        const notIn = matchesLabelSelector(have, { matchExpressions: [{ key: k, operator: 'NotIn', values }] });
        if (k in have) expect(isIn).toBe(!notIn);
        else expect([isIn, notIn]).toEqual([false, true]);
        const exists = matchesLabelSelector(have, { matchExpressions: [{ key: k, operator: 'Exists' }] });
        const absent = matchesLabelSelector(have, { matchExpressions: [{ key: k, operator: 'DoesNotExist' }] });
        expect(exists).toBe(!absent);
      }),
    );
  });
});
