/**
 * The kubelet flags a claim brings to its join: its taints and startupTaints as
 * `--register-with-taints`, its kubeletArgs as `--<name>=<value>`, written to /etc/default/kubelet as
 * KUBELET_EXTRA_ARGS (the file kubeadm's kubelet drop-in reads), so the kubelet registers the Node
 * with them. systemd splits that line on whitespace and reads quotes and backslashes, so values
 * holding those, or a newline, are refused, naming the field.
 */
import { InvalidConfigurationError } from '../../../plugin/contract.js';

export const KUBELET_DEFAULTS_PATH = '/etc/default/kubelet';

export interface Taint { key: string; value?: string; effect: string }

/** Flags the join sets itself: a claim's kubeletArgs may not set them. */
const RESERVED_FLAGS: Record<string, string> = {
  'register-with-taints': 'set spec.taints or spec.startupTaints instead',
  'node-labels': 'the host sets the Node’s labels once it registers',
  'bootstrap-kubeconfig': 'the join sets it',
  kubeconfig: 'the join sets it',
};
const FLAG_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const FLAG_VALUE = /^[^\s"'\\`$]{0,1024}$/;
const TAINT_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const TAINT_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export interface KubeletFlagsInput {
  /** For errors, e.g. `NodeClaim p-a/claim-1`. */
  object: string;
  taints?: Taint[];
  startupTaints?: Taint[];
  kubeletArgs?: Record<string, string>;
}

/** The KUBELET_EXTRA_ARGS value, or null when the claim brings no flags. */
export function kubeletExtraArgs(input: KubeletFlagsInput): string | null {
  const taints = [
    ...checkedTaints(input.object, 'spec.taints', input.taints ?? []),
    ...checkedTaints(input.object, 'spec.startupTaints', input.startupTaints ?? []),
  ];
  const flags = taints.length ? [`--register-with-taints=${[...new Set(taints)].join(',')}`] : [];
  for (const [name, value] of Object.entries(input.kubeletArgs ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    const field = `spec.kubeletArgs[${JSON.stringify(name)}]`;
    if (!FLAG_NAME.test(name)) throw new InvalidConfigurationError(input.object, field, 'is not a kubelet flag name (lowercase letters, digits and "-", without the leading "--")');
    if (RESERVED_FLAGS[name]) throw new InvalidConfigurationError(input.object, field, `cannot be set: ${RESERVED_FLAGS[name]}`);
    if (typeof value !== 'string' || !FLAG_VALUE.test(value)) {
      throw new InvalidConfigurationError(input.object, field, 'must be a string of at most 1024 characters without whitespace, quotes, backslashes, "`" or "$"');
    }
    flags.push(`--${name}=${value}`);
  }
  return flags.length ? flags.join(' ') : null;
}

function checkedTaints(object: string, path: string, taints: Taint[]): string[] {
  return taints.map((t, i) => {
    if (!TAINT_KEY.test(t.key ?? '')) throw new InvalidConfigurationError(object, `${path}[${i}].key`, `${JSON.stringify(t.key)} is not a valid taint key`);
    if (!TAINT_VALUE.test(t.value ?? '')) throw new InvalidConfigurationError(object, `${path}[${i}].value`, 'is not a valid taint value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)');
    if (!EFFECTS.includes(t.effect)) throw new InvalidConfigurationError(object, `${path}[${i}].effect`, `must be one of ${EFFECTS.join(', ')}`);
    return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
  });
}
