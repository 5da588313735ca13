import { InvalidConfigurationError, parseQuantity, QUANTITY_PATTERN } from '../../plugin/contract.js';

const QUANTITY = new RegExp(QUANTITY_PATTERN);

/**
 * The value of a Kubernetes quantity (`100m`, `2`, `.5`, `128Gi`, `500u`, `1e3`); anything else
 * throws InvalidConfigurationError naming `where`.
 */
export function requireQuantity(text: string, where: { object: string; field: string } = { object: 'quantity', field: 'value' }): number {
  const value = parseQuantity(text);
  if (value !== undefined) return value;
  const problem = typeof text === 'string' && QUANTITY.test(text)
    ? `${JSON.stringify(text)} is out of range`
    : `${JSON.stringify(text)} is not a Kubernetes quantity (examples: 100m, 2, 1.5, 128Gi, 500M, 1e3)`;
  throw new InvalidConfigurationError(where.object, where.field, problem);
}
