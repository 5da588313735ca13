import { InvalidConfigurationError } from '../../plugin/contract.js';

/** Kubernetes quantity suffixes: binary SI, decimal SI; the decimal exponent form (`1e3`) is handled apart. */
const SUFFIX_MULTIPLIER: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

// sign, digits with an optional fraction, then a suffix or a decimal exponent (as in apimachinery's resource.Quantity).
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

/**
 * Parses a Kubernetes quantity (`100m`, `2`, `1.5`, `128Gi`, `500M`, `1e3`) into a plain number.
 * Throws InvalidConfigurationError naming `where` when the text is not a quantity.
 */
export function parseQuantity(q: string, where?: { object: string; field: string }): number {
  const match = typeof q === 'string' ? QUANTITY.exec(q.trim()) : null;
  if (!match) {
    throw new InvalidConfigurationError(
      where?.object ?? 'quantity',
      where?.field ?? 'value',
      `${JSON.stringify(q)} is not a Kubernetes quantity (examples: 100m, 2, 1.5, 128Gi, 500M, 1e3)`,
    );
  }
  const [, sign, digits, suffix, exponent] = match;
  const magnitude = Number(digits) * (exponent !== undefined ? 10 ** Number(exponent) : SUFFIX_MULTIPLIER[suffix ?? '']);
  if (!Number.isFinite(magnitude)) {
    throw new InvalidConfigurationError(where?.object ?? 'quantity', where?.field ?? 'value', `${JSON.stringify(q)} is out of range`);
  }
  return sign === '-' ? -magnitude : magnitude;
}
