/**
 * Kubernetes label syntax (apimachinery validation.IsQualifiedName / IsValidLabelValue): a key is an
 * optional DNS-subdomain prefix and `/` plus a name of at most 63 characters; a value is empty or at
 * most 63 characters of alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
 */
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME = 63;
const MAX_PREFIX = 253;

/** Why `key` is not a label key, or undefined when it is one. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > MAX_PREFIX || !DNS_SUBDOMAIN.test(prefix))) {
    return `"${key}" is not a valid label key: the prefix must be a lowercase DNS subdomain of at most ${MAX_PREFIX} characters`;
  }
  if (name.length === 0 || name.length > MAX_NAME || !NAME.test(name)) {
    return `"${key}" is not a valid label key: the name must be 1-${MAX_NAME} alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return undefined;
}

/** Why `value` is not a label value, or undefined when it is one. */
export function labelValueError(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > MAX_NAME || !NAME.test(value)) {
    return `"${value}" is not a valid label value: at most ${MAX_NAME} alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return undefined;
}

export function isLabel(key: string, value: string): boolean {
  return labelKeyError(key) === undefined && labelValueError(value) === undefined;
}
