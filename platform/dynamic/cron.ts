/**
 * Cron schedules of disruption budgets, as Karpenter reads them: five fields (minute hour
 * day-of-month month day-of-week, UTC) with `*`, numbers, ranges `a-b`, steps `/n` and lists, or one
 * of the macros @yearly @annually @monthly @weekly @daily @midnight @hourly. Pure.
 */

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;
const MINUTE_MS = 60_000;

export interface CronSchedule {
  /** Whether the schedule fires in the UTC minute that contains `t`. */
  firesAt(t: Date): boolean;
}

export type CronParseResult = { ok: true; schedule: CronSchedule } | { ok: false; error: string };

export function parseCron(text: string): CronParseResult {
  const expanded = MACROS[text.trim()] ?? text.trim();
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) return { ok: false, error: `expected 5 fields or a macro like @daily, got "${text}"` };
  const sets: Set<number>[] = [];
  for (let i = 0; i < 5; i++) {
    const set = parseField(parts[i], FIELDS[i].min, FIELDS[i].max);
    if (!set) return { ok: false, error: `invalid ${FIELDS[i].name} field "${parts[i]}" in "${text}"` };
    sets.push(set);
  }
  if (sets[4].has(7)) sets[4].add(0);
  const [minutes, hours, days, months, weekdays] = sets;
  const dayRestricted = parts[2] !== '*';
  const weekdayRestricted = parts[4] !== '*';
  return {
    ok: true,
    schedule: {
      firesAt(t) {
        if (!minutes.has(t.getUTCMinutes()) || !hours.has(t.getUTCHours()) || !months.has(t.getUTCMonth() + 1)) return false;
        const dom = days.has(t.getUTCDate());
        const dow = weekdays.has(t.getUTCDay());
        // Standard cron: when both day fields are restricted, either may match.
        if (dayRestricted && weekdayRestricted) return dom || dow;
        return dom && dow;
      },
    },
  };
}

/** Whether a window of `durationMs` opened by the schedule contains `now` (checked minute by minute). */
export function windowActive(schedule: CronSchedule, durationMs: number, now: Date): boolean {
  const start = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  for (let t = start; t > now.getTime() - durationMs; t -= MINUTE_MS) {
    if (schedule.firesAt(new Date(t))) return true;
  }
  return false;
}

function parseField(text: string, min: number, max: number): Set<number> | undefined {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) return undefined;
    const from = m[1] === '*' ? min : Number(m[2]);
    const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < min || to > max || from > to || step < 1) return undefined;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}
