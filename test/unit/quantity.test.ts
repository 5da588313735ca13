import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parse } from 'yaml';
import { parseQuantity, QUANTITY_PATTERN } from '../../common/quantity.js';
import { requireQuantity } from '../../providers/metal3/quantity.js';
import { expectRejectsWith } from '../support/expectations.js';

/** The `resources` value pattern of the manifest's config schema (what the host validates a NodeProvider with). */
function manifestResourcesPattern(): RegExp {
  const manifest = parse(readFileSync(new URL('../../manifest.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
  const found: string[] = [];
  const walk = (node: unknown, key?: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const obj = node as Record<string, unknown>;
    const values = obj.additionalProperties as { pattern?: string } | undefined;
    if (key === 'resources' && values?.pattern) found.push(values.pattern);
    for (const [k, v] of Object.entries(obj)) walk(v, k);
  };
  walk(manifest);
  expect(found.length).toBeGreaterThan(0);
  expect(new Set(found).size).toBe(1);
  return new RegExp(found[0]);
}

const SUFFIX_VALUE: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

describe('parseQuantity (Kubernetes resource.Quantity)', () => {
  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['128Gi', 128 * 2 ** 30],
    ['2Ti', 2 * 2 ** 40],
    ['64Ki', 65536],
    ['1Mi', 1048576],
    ['500M', 500e6],
    ['1k', 1000],
    ['500u', 500e-6],
    ['250u', 250e-6],
    ['10n', 10e-9],
    ['1e3', 1000],
    ['1E3', 1000],
    ['5e-1', 0.5],
    ['2e+2', 200],
    ['1E', 1e18],
    ['+3', 3],
    ['-3', -3],
    ['-.5Gi', -0.5 * 2 ** 30],
    ['0', 0],
    ['0e999', 0],
    [8, 8],
  ] as [string | number, number][])('reads %j as %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  it.each([
    '', ' 8 ', '8 ', 'abc', '.', '+', '-', '1.2.3', '12 Gi', '1GiB', 'Gi', '1e', '1e1.5', '--1', '1KI', '1K', '1i', '.5i',
    '0.1mi', '1+1.0M', '-3.01e-', '0x10', 'NaN', 'Infinity', '1e400',
  ])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  it('property: a number with a suffix or exponent is worth the number times the suffix', () => {
    const suffix = fc.oneof(fc.constantFrom(...Object.keys(SUFFIX_VALUE)), fc.integer({ min: -12, max: 12 }).map((e) => `e${e}`));
    fc.assert(
      fc.property(fc.constantFrom('', '+', '-'), fc.nat(1_000_000), fc.option(fc.nat(999), { nil: undefined }), suffix, (sign, whole, frac, sfx) => {
        const number = frac === undefined ? `${whole}` : `${whole}.${frac}`;
        const scale = sfx.startsWith('e') ? 10 ** Number(sfx.slice(1)) : SUFFIX_VALUE[sfx];
        const expected = (sign === '-' ? -1 : 1) * Number(number) * scale;
        const got = parseQuantity(`${sign}${number}${sfx}`);
        expect(got).toBeDefined();
        expect(Math.abs(got! - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12);
      }),
    );
  });

  it('property: binary suffixes multiply by powers of 1024, decimal by powers of 1000', () => {
    const binary = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi'] as const;
    const decimal = ['k', 'M', 'G', 'T', 'P'] as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 4 }), (n, i) => {
        expect(parseQuantity(`${n}${binary[i]}`)).toBe(n * 1024 ** (i + 1));
        expect(parseQuantity(`${n}${decimal[i]}`)).toBe(n * 1000 ** (i + 1));
        expect(parseQuantity(`${n}m`)).toBeCloseTo(n / 1000, 9);
      }),
    );
  });

  it('property: plain decimals parse to the same number as Number()', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 999 }), (whole, frac) => {
        const text = `${whole}.${String(frac).padStart(3, '0')}`;
        expect(parseQuantity(text)).toBe(Number(text));
      }),
    );
  });

  it('property: the manifest schema accepts exactly what parses (short of numbers too large for a double)', () => {
    const pattern = manifestResourcesPattern();
    expect(pattern.source).toBe(new RegExp(QUANTITY_PATTERN).source);
    const quantityish = fc.stringMatching(/^[+-]?[0-9.]{0,4}[eEKMGTPiumnk+-]{0,3}[0-9]{0,2}$/);
    fc.assert(
      fc.property(fc.oneof(quantityish, fc.string({ maxLength: 8 })), (text) => {
        const value = parseQuantity(text);
        if (value !== undefined) expect(Number.isFinite(value)).toBe(true);
        // What parses matches the pattern; what matches but does not parse is only an exponent too large for a double.
        if (value !== undefined) expect(pattern.test(text)).toBe(true);
        else if (pattern.test(text)) expect(text).toMatch(/e[+-]?[0-9]{3}/i);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('requireQuantity', () => {
  it('names the object and field in its error', async () => {
    const err = await expectRejectsWith(() => requireQuantity('lots', { object: 'NodeType gpu', field: 'resources["memory"]' }), 'InvalidConfiguration', { object: 'NodeType gpu', field: 'resources["memory"]' });
    expect(err.message).toBe('NodeType gpu: resources["memory"]: "lots" is not a Kubernetes quantity (examples: 100m, 2, 1.5, 128Gi, 500M, 1e3)');
  });

  it('says "out of range" for a quantity too large for a number', async () => {
    const err = await expectRejectsWith(() => requireQuantity('1e400', { object: 'NodeType gpu', field: 'resources["cpu"]' }), 'InvalidConfiguration');
    expect(err.message).toBe('NodeType gpu: resources["cpu"]: "1e400" is out of range');
  });

  it('returns the value of a quantity', () => {
    expect(requireQuantity('500u')).toBeCloseTo(500e-6, 12);
  });
});
