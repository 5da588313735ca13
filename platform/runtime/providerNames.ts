/**
 * Follows which providers are registered (a plugin loading, or going away): polls the directory's names
 * every second and calls `onChange` with the names added and removed since the last look. The NodeClaim
 * and autoNodes controllers requeue what a change affects.
 */
import type { ProviderDirectory } from '../deps.js';

const PROVIDER_CHECK_MS = 1000;

export function followProviderNames(providers: ProviderDirectory, onChange: (change: { added: string[]; removed: string[] }) => void): { stop(): void } {
  let known = new Set(providers.names());
  const timer = setInterval(() => {
    const names = new Set(providers.names());
    const added = [...names].filter((n) => !known.has(n));
    const removed = [...known].filter((n) => !names.has(n));
    known = names;
    if (added.length > 0 || removed.length > 0) onChange({ added, removed });
  }, PROVIDER_CHECK_MS);
  return { stop: () => clearInterval(timer) };
}
