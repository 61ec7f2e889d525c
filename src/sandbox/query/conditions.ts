import { DAY_MS, isoDate, parseSpan, type Span } from "../core/time.js";
import { invalidBody } from "../errors.js";

/** One filter condition object such as `{ "contains": "x" }`: exactly one operator. */
function single(cond: unknown, path: string, allowed: readonly string[]): [string, unknown] {
  if (typeof cond !== "object" || cond === null || Array.isArray(cond)) {
    throw invalidBody(path, `should be an object, instead was \`${JSON.stringify(cond)}\`.`);
  }
  const entries = Object.entries(cond);
  const first = entries[0];
  if (entries.length !== 1 || !first || !allowed.includes(first[0])) {
    throw invalidBody(path, `should define exactly one of ${allowed.map((a) => `\`${a}\``).join(", ")}.`);
  }
  return first;
}

function expect<T>(ok: boolean, value: T, path: string, what: string): T {
  if (!ok) throw invalidBody(path, `should be ${what}, instead was \`${JSON.stringify(value)}\`.`);
  return value;
}

const EXISTENCE = ["is_empty", "is_not_empty"] as const;

export function textTest(cond: unknown, path: string): (s: string) => boolean {
  const [op, v] = single(cond, path, ["equals", "does_not_equal", "contains", "does_not_contain", "starts_with", "ends_with", ...EXISTENCE]);
  if (op === "is_empty") return (s) => s === "";
  if (op === "is_not_empty") return (s) => s !== "";
  const needle = expect(typeof v === "string", v, `${path}.${op}`, "a string") as string;
  const low = needle.toLowerCase();
  switch (op) {
    case "equals":
      return (s) => s === needle;
    case "does_not_equal":
      return (s) => s !== needle;
    case "contains":
      return (s) => s.toLowerCase().includes(low);
    case "does_not_contain":
      return (s) => !s.toLowerCase().includes(low);
    case "starts_with":
      return (s) => s.toLowerCase().startsWith(low);
    default:
      return (s) => s.toLowerCase().endsWith(low);
  }
}

export function numberTest(cond: unknown, path: string): (n: number | null) => boolean {
  const [op, v] = single(cond, path, [
    "equals",
    "does_not_equal",
    "greater_than",
    "less_than",
    "greater_than_or_equal_to",
    "less_than_or_equal_to",
    ...EXISTENCE,
  ]);
  if (op === "is_empty") return (n) => n === null;
  if (op === "is_not_empty") return (n) => n !== null;
  const x = expect(typeof v === "number", v, `${path}.${op}`, "a number") as number;
  switch (op) {
    case "equals":
      return (n) => n === x;
    case "does_not_equal":
      return (n) => n !== x;
    case "greater_than":
      return (n) => n !== null && n > x;
    case "less_than":
      return (n) => n !== null && n < x;
    case "greater_than_or_equal_to":
      return (n) => n !== null && n >= x;
    default:
      return (n) => n !== null && n <= x;
  }
}

export function checkboxTest(cond: unknown, path: string): (b: boolean) => boolean {
  const [op, v] = single(cond, path, ["equals", "does_not_equal"]);
  const x = expect(typeof v === "boolean", v, `${path}.${op}`, "a boolean") as boolean;
  return op === "equals" ? (b) => b === x : (b) => b !== x;
}

function names(v: unknown, path: string): string[] {
  const list: unknown[] = Array.isArray(v) ? v : [v];
  expect(
    list.every((x) => typeof x === "string"),
    v,
    path,
    "a string or an array of strings",
  );
  return list as string[];
}

/** select/status: `equals`/`does_not_equal` (a name or a list of names), existence. */
export function optionTest(cond: unknown, path: string): (name: string | null) => boolean {
  const [op, v] = single(cond, path, ["equals", "does_not_equal", ...EXISTENCE]);
  if (op === "is_empty") return (n) => n === null;
  if (op === "is_not_empty") return (n) => n !== null;
  const set = new Set(names(v, `${path}.${op}`));
  return op === "equals" ? (n) => n !== null && set.has(n) : (n) => n === null || !set.has(n);
}

/** multi_select/people/relation: `contains`/`does_not_contain` (value or list), existence. `norm` canonicalises ids. */
export function listTest(cond: unknown, path: string, norm: (s: string) => string = (s) => s): (items: string[]) => boolean {
  const [op, v] = single(cond, path, ["contains", "does_not_contain", ...EXISTENCE]);
  if (op === "is_empty") return (items) => items.length === 0;
  if (op === "is_not_empty") return (items) => items.length > 0;
  const wanted = names(v, `${path}.${op}`).map(norm);
  return op === "contains" ? (items) => wanted.some((w) => items.includes(w)) : (items) => wanted.every((w) => !items.includes(w));
}

export function existenceTest(cond: unknown, path: string): (empty: boolean) => boolean {
  const [op] = single(cond, path, EXISTENCE);
  return op === "is_empty" ? (empty) => empty : (empty) => !empty;
}

const RELATIVE: Record<string, number> = {
  today: 0,
  tomorrow: 1,
  yesterday: -1,
  one_week_ago: -7,
  one_week_from_now: 7,
  one_month_ago: -30,
  one_month_from_now: 30,
};
const WINDOWS: Record<string, [number, number]> = {
  past_week: [-7, 0],
  past_month: [-30, 0],
  past_year: [-365, 0],
  next_week: [0, 7],
  next_month: [0, 30],
  next_year: [0, 365],
  this_week: [-6, 1],
};

/**
 * Date conditions with Notion's semantics: millisecond precision, UTC when no zone is given,
 * a date-only value stands for its whole UTC day. Rows compare by their start.
 */
export function dateTest(cond: unknown, path: string, now: number): (span: Span | null) => boolean {
  const [op, v] = single(cond, path, ["equals", "before", "after", "on_or_before", "on_or_after", ...EXISTENCE, ...Object.keys(WINDOWS)]);
  if (op === "is_empty") return (s) => s === null;
  if (op === "is_not_empty") return (s) => s !== null;
  const window = WINDOWS[op];
  if (window) return (s) => s !== null && s.lo >= now + window[0] * DAY_MS && s.lo <= now + window[1] * DAY_MS;
  const text = typeof v === "string" && v in RELATIVE ? isoDate(now + (RELATIVE[v] ?? 0) * DAY_MS) : v;
  const f = typeof text === "string" ? parseSpan(text) : undefined;
  if (!f) throw invalidBody(`${path}.${op}`, `should be an ISO 8601 date or date-time, instead was \`${JSON.stringify(v)}\`.`);
  switch (op) {
    case "equals":
      return (s) => s !== null && s.lo < f.hi && f.lo < s.hi;
    case "before":
      return (s) => s !== null && s.lo < f.lo;
    case "after":
      return (s) => s !== null && s.lo >= f.hi;
    case "on_or_before":
      return (s) => s !== null && s.lo < f.hi;
    default:
      return (s) => s !== null && s.lo >= f.lo;
  }
}
