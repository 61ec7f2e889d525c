/** How the page writes times, durations and counts: UTC (the schedule's zone), short, the same on every engine. */

/** `2026-12-02 09:53 UTC`. */
export function utc(date: Date): string {
  if (Number.isNaN(date.getTime())) return "an invalid time";
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `12 min ago`, `in 4 min`, `3.5 h ago`, `2 d ago`. */
export function relative(date: Date, now: Date): string {
  const minutes = (now.getTime() - date.getTime()) / 60_000;
  const text = span(Math.abs(minutes));
  if (Math.abs(minutes) < 1) return minutes >= 0 ? "just now" : "in less than a minute";
  return minutes >= 0 ? `${text} ago` : `in ${text}`;
}

/** A span of minutes: `12.3 min`, `5.2 h`, `3.1 d`. */
export function span(minutes: number): string {
  if (minutes < 60) return `${round1(minutes)} min`;
  if (minutes < 48 * 60) return `${round1(minutes / 60)} h`;
  return `${round1(minutes / 1440)} d`;
}

/** Seconds or minutes between two instants: `4.2 s`, `3.5 min`. */
export function duration(from: Date, to: Date): string {
  const seconds = (to.getTime() - from.getTime()) / 1000;
  return seconds < 120 ? `${round1(seconds)} s` : `${round1(seconds / 60)} min`;
}

export function count(n: number): string {
  return n.toLocaleString("en-US");
}

function round1(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}
