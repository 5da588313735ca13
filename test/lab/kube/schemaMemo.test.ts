import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { defaultAndPrune, SchemaMemo, validateAgainstSchema, type Schema } from '../../../common/schemaValidate.js';

const key = fc.constantFrom('a', 'b', 'c');
const leafSchema: fc.Arbitrary<Schema> = fc.oneof(
  fc.record({ type: fc.constant('string'), maxLength: fc.integer({ min: 0, max: 2 }), pattern: fc.constant('^[a-b]*$') }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('integer'), minimum: fc.integer({ min: -1, max: 1 }), default: fc.integer({ min: 0, max: 2 }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('string'), enum: fc.constant(['a', 'b'] as unknown[]) }),
  fc.constant({ type: 'boolean', nullable: true }),
  fc.constant({ 'x-kubernetes-int-or-string': true }),
);
const schema: fc.Arbitrary<Schema> = fc.letrec<{ s: Schema }>((tie) => ({
  s: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    leafSchema,
    fc.record({ type: fc.constant('array'), items: tie('s'), maxItems: fc.integer({ min: 0, max: 2 }) }, { requiredKeys: ['type'] }),
    fc.record({
      type: fc.constant('object'), properties: fc.dictionary(key, tie('s'), { maxKeys: 3 }), required: fc.subarray(['a', 'b']),
      'x-kubernetes-preserve-unknown-fields': fc.boolean(), additionalProperties: fc.oneof(fc.boolean(), tie('s')),
    }, { requiredKeys: ['type'] })),
})).s;
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.constantFrom('', 'a', 'abc', 0, 2, -2, true, null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(key, tie('v'), { maxKeys: 3 })),
})).v;

/** Defaulted, pruned and validated, with or without a memo; the pruned paths and causes as the caller sees them. */
function checked(s: Schema, v: unknown, memo?: SchemaMemo) {
  const pruned: string[] = [];
  const out = defaultAndPrune(s, v, [], pruned, memo);
  return { json: JSON.stringify(out), out, pruned, causes: validateAgainstSchema(s, out, '', memo) };
}

/** The next write: fields of the stored result kept as they are (shared), others replaced. */
function nextWrite(stored: unknown, fresh: unknown, keep: boolean[]): unknown {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored) || typeof fresh !== 'object' || fresh === null || Array.isArray(fresh)) return keep[0] ? stored : fresh;
  const out: Record<string, unknown> = { ...(fresh as Record<string, unknown>) };
  Object.entries(stored).forEach(([k, v], i) => { if (keep[i % keep.length]) out[k] = v; });
  return out;
}

describe('schema checks that remember settled subtrees', () => {
  it('default, prune and validate exactly as without the memo, also for writes that keep earlier results', () => {
    fc.assert(fc.property(schema, value, fc.array(fc.tuple(value, fc.array(fc.boolean(), { minLength: 1, maxLength: 4 })), { maxLength: 4 }), (s, first, writes) => {
      const memo = new SchemaMemo();
      let stored = checked(s, first, memo);
      const plain = checked(s, first);
      expect({ ...stored, out: undefined }).toEqual({ ...plain, out: undefined });
      for (const [fresh, keep] of writes) {
        const input = nextWrite(stored.out, fresh, keep);
        const remembered = checked(s, input, memo);
        expect({ ...remembered, out: undefined }).toEqual({ ...checked(s, structuredClone(input)), out: undefined });
        stored = remembered;
      }
    }), { numRuns: 500 });
  });

  it('hand back a kept subtree as it is, without walking it again', () => {
    const s: Schema = { type: 'object', properties: { status: { type: 'object', properties: { n: { type: 'integer' } } } } };
    const memo = new SchemaMemo();
    const first = defaultAndPrune(s, { status: { n: 1, extra: true } }, [], [], memo) as { status: object };
    const again = defaultAndPrune(s, { status: first.status }, [], [], memo) as { status: object };
    expect(again.status).toBe(first.status);
    expect(defaultAndPrune(s, { status: first.status }) as { status: object }).not.toBe(first.status);
  });
});
