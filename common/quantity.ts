/**
 * Kubernetes resource quantities (apimachinery's `resource.Quantity`), the one grammar the host and
 * the plugin read:
 *
 *   <quantity>        ::= <signedNumber><suffix>
 *   <signedNumber>    ::= <number> | <sign><number>        <sign> ::= "+" | "-"
 *   <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
 *   <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
 *   <decimalExponent> ::= "e" <signedDigits> | "E" <signedDigits>
 *
 * As the API server: no white space, an integer exponent (`1e3`, `5E-1`; `1E` alone is exa), and
 * `.5`, `5.` and `500u` are quantities. The value is a plain number in base units (cores, bytes).
 * Shared by the host, the plugin (through plugin/contract.ts) and the lab.
 */

/** The grammar as a JSON-schema / ECMAScript pattern (the manifest's `resources` values use it too). */
export const QUANTITY_PATTERN = '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$';

const QUANTITY = new RegExp(QUANTITY_PATTERN);

const MULTIPLIER: Readonly<Record<string, number>> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/**
 * The value of `text` in base units; undefined when it is not a quantity or too large for a number.
 * A number (int-or-string fields arrive as JSON numbers) is its own value.
 */
export function parseQuantity(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  const match = typeof text === 'string' ? QUANTITY.exec(text) : null;
  if (!match) return undefined;
  const [, number, , suffix = ''] = match;
  const magnitude = Number(number);
  if (magnitude === 0) return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const scale = /^[eE][+-]?[0-9]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : MULTIPLIER[suffix];
  const value = sign * magnitude * scale;
  return Number.isFinite(value) ? value : undefined;
}
