/** Text for states, durations and times: every state is spelled out, colour only repeats it. */

/** `42s`, `3m 12s`, `2h 5m`, `3d 4h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function since(iso: string | undefined, now: number): string {
  return iso ? duration(now - Date.parse(iso)) : '–';
}

export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A tone for a BMH provisioning state or a claim phase; the text itself always names the state. */
export type Tone = 'ok' | 'busy' | 'bad' | 'idle';

const STATE_TONES: Record<string, Tone> = {
  available: 'ok', provisioned: 'ok', Available: 'ok', True: 'ok',
  provisioning: 'busy', deprovisioning: 'busy', inspecting: 'busy', registering: 'busy', preparing: 'busy',
  'powering off before delete': 'busy', deleting: 'busy', Pending: 'busy', Deleting: 'busy', Unknown: 'busy',
  Failed: 'bad', False: 'bad',
};

export function toneOf(state: string, error?: unknown): Tone {
  if (error) return 'bad';
  return STATE_TONES[state] ?? 'idle';
}

/** A shape beside the text, so that state is readable without colour (and in high-contrast modes). */
export const TONE_MARK: Record<Tone, string> = { ok: '●', busy: '◐', bad: '✖', idle: '○' };
