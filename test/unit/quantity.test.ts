import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseQuantity } from '../../providers/metal3/quantity.js';
import { isInvalidConfiguration } from '../../plugin/contract.js';
import { expectRejectsWith } from '../support/expectations.js';

describe('parseQuantity', () => {
  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['128Gi', 128 * 2 ** 30],
    ['2Ti', 2 * 2 ** 40],
    ['64Ki', 65536],
    ['1Mi', 1048576],
    ['500M', 500e6],
    ['1k', 1000],
    ['1e3', 1000],
    ['1E3', 1000],
    ['5e-1', 0.5],
    ['1E', 1e18],
    ['250u', 250e-6],
    ['+3', 3],
    ['-3', -3],
    [' 8 ', 8],
  ])('%j = %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  it.each(['', 'abc', '1.2.3', '12 Gi', '1GiB', 'Gi', '1e', '--1', '1KI', '0x10', 'NaN', 'Infinity'])('rejects %j', (text) => {
    expect(() => parseQuantity(text)).toThrow(/not a Kubernetes quantity/);
  });

  it('names the object and field in its error', async () => {
    const err = await expectRejectsWith(() => parseQuantity('lots', { object: 'NodeType gpu', field: 'resources["memory"]' }), 'InvalidConfiguration');
    expect(err.message).toBe('NodeType gpu: resources["memory"]: "lots" is not a Kubernetes quantity (examples: 100m, 2, 1.5, 128Gi, 500M, 1e3)');
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

  it('property: never returns NaN; either a finite number or an InvalidConfigurationError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (text) => {
        try {
          expect(Number.isFinite(parseQuantity(text))).toBe(true);
        } catch (err) {
          expect(isInvalidConfiguration(err)).toBe(true);
        }
      }),
    );
  });
});
