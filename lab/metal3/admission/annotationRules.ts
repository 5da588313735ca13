/** The annotations BMO's webhook checks: status copy, reboot requests, inspect, hardware details. */
import { INSPECT_ANNOTATION, REBOOT_ANNOTATION, inspectionDisabled } from '../annotations.js';
import type { BareMetalHost } from '../types.js';

export const STATUS_ANNOTATION = 'baremetalhost.metal3.io/status';
export const HARDWARE_DETAILS_ANNOTATION = 'inspect.metal3.io/hardwaredetails';

/** BMO's OperationalStatusAllowed / ErrorTypeAllowed (the status annotation may not carry others). */
const OPERATIONAL_STATUS_ALLOWED = ['', 'OK', 'discovered', 'error', 'delayed', 'detached'];
const ERROR_TYPE_ALLOWED = ['', 'provisioned registration error', 'registration error', 'inspection error', 'preparation error', 'provisioning error', 'power management error'];

const STATUS_FIELDS = [
  'operationalStatus', 'errorType', 'lastUpdated', 'hardwareProfile', 'hardware', 'provisioning', 'goodCredentials',
  'triedCredentials', 'errorMessage', 'poweredOn', 'operationHistory', 'errorCount', 'provisioningFailCount',
  'lastAttemptedImage', 'conditions',
];
const HARDWARE_FIELDS = ['systemVendor', 'firmware', 'ramMebibytes', 'nics', 'storage', 'cpu', 'hostname'];

/** A strict JSON decode into a Go struct with `fields` (DisallowUnknownFields), in encoding/json's words. */
function decodeStrict(value: string, fields: string[], goType: string): { value?: Record<string, unknown>; error?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { error: 'invalid character in JSON input' };
  }
  if (parsed === null) return { value: {} };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = Array.isArray(parsed) ? 'array' : typeof parsed === 'boolean' ? 'bool' : typeof parsed;
    return { error: `json: cannot unmarshal ${kind} into Go value of type ${goType}` };
  }
  const unknown = Object.keys(parsed).find((k) => !fields.includes(k));
  if (unknown) return { error: `json: unknown field ${JSON.stringify(unknown)}` };
  return { value: parsed as Record<string, unknown> };
}

function statusAnnotationError(value: string): string | undefined {
  if (value === '') return undefined;
  const decoded = decodeStrict(value, STATUS_FIELDS, 'v1alpha1.BareMetalHostStatus');
  if (decoded.error) return `error decoding status annotation: ${decoded.error}`;
  const status = decoded.value!;
  const operational = String(status.operationalStatus ?? '');
  if (!OPERATIONAL_STATUS_ALLOWED.includes(operational)) return `invalid operationalStatus '${operational}' in the ${STATUS_ANNOTATION} annotation`;
  const errorType = String(status.errorType ?? '');
  if (!ERROR_TYPE_ALLOWED.includes(errorType)) return `invalid errorType '${errorType}' in the ${STATUS_ANNOTATION} annotation`;
  return undefined;
}

function rebootAnnotationError(value: string): string | undefined {
  if (value === '') return undefined;
  let args: unknown;
  try {
    args = JSON.parse(value);
  } catch {
    return `failed to unmarshal the data from the ${REBOOT_ANNOTATION} annotation: invalid character in JSON input`;
  }
  if (args !== null && (typeof args !== 'object' || Array.isArray(args))) {
    const kind = Array.isArray(args) ? 'array' : typeof args === 'boolean' ? 'bool' : typeof args;
    return `failed to unmarshal the data from the ${REBOOT_ANNOTATION} annotation: json: cannot unmarshal ${kind} into Go value of type v1alpha1.RebootAnnotationArguments`;
  }
  const mode = (args as { mode?: unknown } | null)?.mode ?? '';
  if (!['hard', 'soft', ''].includes(mode as string)) return `invalid mode in the ${REBOOT_ANNOTATION} annotation, allowed are "hard", "soft" or ""`;
  return undefined;
}

function hardwareDetailsError(value: string, host: BareMetalHost): string | undefined {
  if (value === '') return undefined;
  if (!inspectionDisabled(host)) {
    return 'when hardware details are provided, inspection must be disabled (either via inspect.metal3.io annotation or inspectionMode field)';
  }
  const decoded = decodeStrict(value, HARDWARE_FIELDS, 'v1alpha1.HardwareDetails');
  return decoded.error ? `error decoding the ${HARDWARE_DETAILS_ANNOTATION} annotation: ${decoded.error}` : undefined;
}

export function annotationErrors(host: BareMetalHost): string[] {
  const errs: string[] = [];
  for (const [key, value] of Object.entries(host.metadata.annotations ?? {})) {
    let err: string | undefined;
    if (key === STATUS_ANNOTATION) err = statusAnnotationError(value);
    else if (key === REBOOT_ANNOTATION || key.startsWith(`${REBOOT_ANNOTATION}/`)) err = rebootAnnotationError(value);
    else if (key === INSPECT_ANNOTATION) err = ['disabled', ''].includes(value) ? undefined : `invalid value for the ${INSPECT_ANNOTATION} annotation, allowed are "disabled" or ""`;
    else if (key === HARDWARE_DETAILS_ANNOTATION) err = hardwareDetailsError(value, host);
    if (err) errs.push(err);
  }
  return errs;
}
