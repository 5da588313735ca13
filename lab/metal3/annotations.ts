/** Annotations baremetal-operator honours on a BareMetalHost (metal3-anchors.md §1.6). */
import type { BareMetalHost } from './types.js';

export const PAUSED_ANNOTATION = 'baremetalhost.metal3.io/paused';
export const DETACHED_ANNOTATION = 'baremetalhost.metal3.io/detached';
export const REBOOT_ANNOTATION = 'reboot.metal3.io';
export const INSPECT_ANNOTATION = 'inspect.metal3.io';

export function annotationsOf(host: BareMetalHost): Record<string, string> {
  return host.metadata.annotations ?? {};
}

export function isPaused(host: BareMetalHost): boolean {
  return PAUSED_ANNOTATION in annotationsOf(host);
}

/** The detach request, or undefined. The value may be JSON `{"force":true,"deleteAction":"delay|delete"}`. */
export function detachRequest(host: BareMetalHost): { force: boolean } | undefined {
  const value = annotationsOf(host)[DETACHED_ANNOTATION];
  if (value === undefined) return undefined;
  try {
    const parsed = value ? JSON.parse(value) : {};
    return { force: parsed?.force === true };
  } catch {
    return { force: false };
  }
}

/** `reboot.metal3.io` and every `reboot.metal3.io/<key>` (each client holds its own request). */
export function rebootRequests(host: BareMetalHost): string[] {
  return Object.keys(annotationsOf(host)).filter((k) => k === REBOOT_ANNOTATION || k.startsWith(`${REBOOT_ANNOTATION}/`));
}

export function inspectionDisabled(host: BareMetalHost): boolean {
  return host.spec.inspectionMode === 'disabled' || annotationsOf(host)[INSPECT_ANNOTATION] === 'disabled';
}
