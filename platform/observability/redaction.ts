/** Secret scrubbing shared by the logger and the event recorder. */

/** kubeadm bootstrap-token shape `<id>.<secret>` (6 + 16 lowercase alphanumerics). */
const BOOTSTRAP_TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g;

export const REDACTED = '[REDACTED]';

/** Replaces every bootstrap-token-shaped substring. */
export function scrubSecrets(text: string): string {
  return text.replace(BOOTSTRAP_TOKEN, REDACTED);
}

/** Field paths pino censors wherever they appear (top level and one level down). */
export const REDACT_PATHS: string[] = [
  'token', '*.token', 'userData', '*.userData', 'password', '*.password',
  'networkData', '*.networkData', 'data', '*.data', 'stringData', '*.stringData',
  'caKey', '*.caKey', 'join.token', '*.join.token',
];
