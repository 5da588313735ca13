/** Checks a NodeProvider `spec` against the serving plugin's manifest schema (lab/kube's validator). */
import { validateAgainstSchema, type Schema } from '../../common/schemaValidate.js';

export interface SpecProblem {
  /** Full field path, e.g. `spec.metal3.nodeTypes[0].name`. */
  field: string;
  /** Machine-readable reason, e.g. `FieldValueRequired`. */
  reason: string;
  /** What is wrong, without echoing the value (a spec may carry user data). */
  message: string;
}

/** Empty when valid or when the plugin declares no schema. */
export function validateProviderSpec(schema: Record<string, unknown> | undefined, spec: unknown): SpecProblem[] {
  if (!schema) return [];
  return validateAgainstSchema(schema as Schema, spec ?? {}, 'spec').map((c) => ({
    field: c.field,
    reason: c.reason,
    message: withoutValue(c.field, c.message),
  }));
}

/** One line naming the object and each bad field. */
export function describeSpecProblems(providerName: string, problems: SpecProblem[]): string {
  return `NodeProvider/${providerName}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`;
}

function withoutValue(field: string, message: string): string {
  const at = message.indexOf(`${field} in body`);
  if (at >= 0) return message.slice(at + field.length + ' in body '.length).replace(/: "[^"]*"$/, '');
  if (message.startsWith('Unsupported value: ')) return message.slice(message.indexOf('supported values:'));
  return message;
}
