import { html, type Html } from "./html.js";
import { utc } from "./format.js";
import { TREND_DAYS, type TrendPoint } from "./queries.js";

/**
 * The data-quality score of the last 7 days as an inline SVG: one point per hour that had checks
 * (their mean, so a schedule of minutes draws at most 168 points), the line through them, and the
 * threshold as a dashed line, labelled below it (where the scores usually are not). Sized by its viewBox:
 * it scales to a phone's width, where the style enlarges its text.
 */
const W = 640;
const H = 240;
const LEFT = 50;
const RIGHT = 8;
const TOP = 18;
const BOTTOM = 34;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Hourly means of the checks, oldest first. */
export function hourlyPoints(points: readonly TrendPoint[]): TrendPoint[] {
  const buckets = new Map<number, { sum: number; n: number }>();
  for (const p of points) {
    const hour = Math.floor(p.at.getTime() / HOUR) * HOUR;
    const b = buckets.get(hour) ?? { sum: 0, n: 0 };
    b.sum += p.score;
    b.n += 1;
    buckets.set(hour, b);
  }
  return [...buckets].sort(([a], [b]) => a - b).map(([hour, b]) => ({ at: new Date(hour), score: Math.round((b.sum / b.n) * 100) / 100 }));
}

export function trendChart(points: readonly TrendPoint[], threshold: number, now: Date): Html {
  const hourly = hourlyPoints(points);
  const end = now.getTime();
  const start = end - TREND_DAYS * DAY;
  const low = Math.max(0, Math.floor((Math.min(threshold, ...hourly.map((p) => p.score)) - 2) / 5) * 5);
  const x = (t: number) => LEFT + ((Math.min(Math.max(t, start), end) - start) / (end - start)) * (W - LEFT - RIGHT);
  const y = (score: number) => TOP + ((100 - score) / (100 - low || 1)) * (H - TOP - BOTTOM);
  const fmt = (n: number) => n.toFixed(1);
  const line = hourly.map((p) => `${fmt(x(p.at.getTime()))},${fmt(y(p.score))}`).join(" ");
  // Many points (a schedule of minutes) merge into beads: drawn smaller, still there to hover.
  const pt = hourly.length > 48 ? "pt dense" : "pt";
  const label = `Data-quality score, hourly, last ${TREND_DAYS} days: ${hourly.length} point${hourly.length === 1 ? "" : "s"}; threshold ${threshold}`;
  return html`<svg id="dq-trend" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${label}" data-points="${hourly.length}">
    ${gridLines(low, y)}${dayTicks(start, end, x)}
    <line class="threshold" x1="${LEFT}" x2="${W - RIGHT}" y1="${fmt(y(threshold))}" y2="${fmt(y(threshold))}" />
    <text class="tlabel" x="${W - RIGHT - 4}" y="${fmt(y(threshold) + 4)}" text-anchor="end" dominant-baseline="hanging">threshold ${threshold}</text>
    ${hourly.length > 1 ? html`<polyline class="line" points="${line}" />` : ""}
    ${hourly.map(
      (p) => html`<circle class="${pt}" cx="${fmt(x(p.at.getTime()))}" cy="${fmt(y(p.score))}" r="3"><title>${utc(p.at)}: ${p.score}</title></circle> `,
    )}${hourly.length === 0 ? html`<text class="axis" x="${W / 2}" y="${H / 2}" text-anchor="middle">no check in the last ${TREND_DAYS} days</text>` : ""}
  </svg>`;
}

/** Horizontal lines at the bottom of the scale, halfway and 100, with their values. */
function gridLines(low: number, y: (score: number) => number): Html {
  const marks = [...new Set([low, Math.round((low + 100) / 2), 100])];
  return html`${marks.map(
    (m) =>
      html`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${y(m).toFixed(1)}" y2="${y(m).toFixed(1)}" />
        <text class="axis" x="${LEFT - 4}" y="${(y(m) + 4).toFixed(1)}" text-anchor="end">${m}</text> `,
  )}`;
}

/** A faint line at each midnight (UTC) of the range, labelled with the date. */
function dayTicks(start: number, end: number, x: (t: number) => number): Html {
  const ticks: number[] = [];
  for (let t = Math.ceil(start / DAY) * DAY; t <= end; t += DAY) ticks.push(t);
  return html`${ticks.map(
    (t) =>
      html`<line class="grid" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${TOP}" y2="${H - BOTTOM}" />
        <text class="axis" x="${x(t).toFixed(1)}" y="${H - 8}" text-anchor="middle">${new Date(t).toISOString().slice(5, 10)}</text> `,
  )}`;
}
