import type { EventRow } from '../fleetTypes.js';
import { clock } from './format.js';

/** The latest events this host recorded, newest first; warnings are marked in words too. */
export function EventList({ events }: { events: EventRow[] }) {
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Latest events</h2>
      {events.length === 0 ? <p>No events yet.</p> : (
        <ol class="events">
          {events.map((e, i) => (
            <li key={`${e.at}/${e.object}/${e.reason}/${i}`} class={e.type === 'Warning' ? 'warning' : undefined}>
              <time dateTime={e.at}>{clock(e.at)}</time>
              <span class={`etype ${e.type === 'Warning' ? 'tone-bad' : 'tone-idle'}`}>{e.type === 'Warning' ? '⚠ Warning' : 'Normal'}</span>
              <strong>{e.reason}</strong>
              <span class="sub">{e.object}{e.count > 1 ? ` (×${e.count})` : ''}</span>
              <span class="emsg">{e.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
