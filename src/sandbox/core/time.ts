/** All seeded timestamps are at or before this instant (2026-07-01T00:00:00Z); pick test clocks after it. */
export const SEED_EPOCH_MS = Date.UTC(2026, 6, 1);

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Notion stores created_time/last_edited_time rounded down to the minute. */
export function floorToMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `YYYY-MM-DD` of a UTC instant. */
export function isoDate(ms: number): string {
  return iso(ms).slice(0, 10);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A half-open instant range [lo, hi): a whole UTC day for a date, one millisecond for a date-time. */
export interface Span {
  lo: number;
  hi: number;
}

/** Parses a Notion date or date-time (no zone = UTC). Undefined when it is neither. */
export function parseSpan(value: string): Span | undefined {
  if (DATE_ONLY.test(value)) {
    const lo = Date.parse(`${value}T00:00:00.000Z`);
    return Number.isNaN(lo) ? undefined : { lo, hi: lo + DAY_MS };
  }
  if (!DATE_TIME.test(value)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:\d{2})$/.test(value);
  const t = Date.parse(hasZone ? value : `${value}Z`);
  return Number.isNaN(t) ? undefined : { lo: t, hi: t + 1 };
}

/** True for `YYYY-MM-DD` and ISO date-times. */
export function isNotionDate(value: string): boolean {
  return parseSpan(value) !== undefined;
}

/** Adds whole days to a `YYYY-MM-DD` (or the date part of a date-time) and returns `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  return isoDate(Date.parse(`${date.slice(0, 10)}T00:00:00.000Z`) + days * DAY_MS);
}
