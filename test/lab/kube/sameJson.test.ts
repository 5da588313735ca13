import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sameJson } from '../../../lab/kube/sameJson.js';

/** JSON values plus what in-process objects may hold: undefined fields and list items, Dates. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' },
    fc.constantFrom(0, 1, -0, 2.5, '', 'a', 'b', true, false, null, undefined),
    fc.constant(new Date(0)),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('v'), { maxKeys: 3 })),
})).v;

/** The same value rebuilt with some subtrees shared and some keys reordered. */
function variant(v: unknown, share: boolean[], i = { n: 0 }): unknown {
  if (typeof v !== 'object' || v === null || v instanceof Date) return v;
  if (share[i.n++ % share.length]) return v;
  if (Array.isArray(v)) return v.map((x) => variant(x, share, i));
  const entries = Object.entries(v).map(([k, x]) => [k, variant(x, share, i)] as const);
  return Object.fromEntries(share[i.n++ % share.length] ? entries.reverse() : entries);
}

describe('sameJson', () => {
  it('says what comparing the two JSON texts says, for unrelated values', () => {
    fc.assert(fc.property(value, value, (a, b) => {
      expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
    }), { numRuns: 2000 });
  });

  it('says what comparing the two JSON texts says, for a value and a partly shared, partly reordered copy of it', () => {
    fc.assert(fc.property(value, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (a, share) => {
      const b = variant(a, share);
      expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
    }), { numRuns: 2000 });
  });
});
