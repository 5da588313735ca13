import { TONE_MARK, toneOf } from './format.js';

/** A state as text with a shape and a colour; screen readers read the text only. */
export function StateBadge({ state, error }: { state: string; error?: unknown }) {
  const tone = toneOf(state, error);
  return (
    <span class={`badge tone-${tone}`}>
      <span class="mark" aria-hidden="true">{TONE_MARK[tone]}</span>
      {state || 'unknown'}
    </span>
  );
}
