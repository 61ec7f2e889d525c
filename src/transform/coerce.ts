import type { ColumnType } from "../config/index.js";
import type { Extracted } from "./extracted.js";
import type { ColumnValue } from "./types.js";

export type Coerced = { readonly ok: true; readonly value: ColumnValue } | { readonly ok: false; readonly reason: string };

const ok = (value: ColumnValue): Coerced => ({ ok: true, value });
const fail = (reason: string): Coerced => ({ ok: false, reason });

/**
 * Turns an extracted Notion value into the column's type. Only conversions that lose nothing are
 * made (a number is never truncated into INT, a list is never squeezed into a scalar except
 * STRING, where items are joined with ", " as the contract says).
 */
export function coerce(value: Extracted, type: ColumnType): Coerced {
  if (value.kind === "null") return ok(null);
  if (value.kind === "unreadable") return fail(value.reason);
  switch (type.kind) {
    case "string":
      return toText(value);
    case "array_string":
      return toStringArray(value);
    case "int":
    case "bigint":
    case "double":
    case "decimal":
      return toNumber(single(value), type);
    case "boolean": {
      const one = single(value);
      return one.kind === "boolean" ? ok(one.value) : one.kind === "null" ? ok(null) : fail(`expected a checkbox or boolean, got ${describe(one)}`);
    }
    case "date":
      return toDate(single(value));
    case "timestamp":
      return toTimestamp(single(value));
  }
}

/** A one-item list (a rollup of one value, a single relation) reads as that item. */
function single(value: Extracted): Extracted {
  if (value.kind !== "list") return value;
  if (value.items.length === 0) return { kind: "null" };
  if (value.items.length === 1) return value.items[0] ?? { kind: "null" };
  return value;
}

function toText(value: Extracted): Coerced {
  if (value.kind === "list") {
    const parts: string[] = [];
    for (const item of value.items) {
      const part = toText(item);
      if (!part.ok) return part;
      if (typeof part.value === "string") parts.push(part.value);
    }
    return ok(parts.length === 0 ? null : parts.join(", "));
  }
  switch (value.kind) {
    case "text":
    case "date":
      return ok(value.value);
    case "number":
      return ok(Number.isFinite(value.value) ? String(value.value) : null);
    case "boolean":
      return ok(value.value ? "true" : "false");
    default:
      return ok(null);
  }
}

function toStringArray(value: Extracted): Coerced {
  const items = value.kind === "list" ? value.items : [value];
  const out: string[] = [];
  for (const item of items) {
    if (item.kind === "list") return fail("nested lists cannot be written to ARRAY<STRING>");
    const part = toText(item);
    if (!part.ok) return part;
    if (typeof part.value === "string") out.push(part.value);
  }
  return ok(out);
}

function toNumber(value: Extracted, type: ColumnType): Coerced {
  if (value.kind === "null") return ok(null);
  if (value.kind !== "number") return fail(`expected a number, got ${describe(value)}`);
  const n = value.value;
  if (!Number.isFinite(n)) return fail(`${n} is not a finite number`);
  if (type.kind === "int" || type.kind === "bigint") {
    if (!Number.isInteger(n)) return fail(`${n} is not a whole number (column is ${type.kind.toUpperCase()})`);
    return ok(Object.is(n, -0) ? 0 : n);
  }
  if (type.kind === "decimal") return ok(toDecimalString(n, type.scale));
  return ok(Object.is(n, -0) ? 0 : n);
}

/** Fixed-point text with `scale` digits, without exponent notation (toFixed switches at 1e21). */
export function toDecimalString(n: number, scale: number): string {
  if (Math.abs(n) >= 1e21) return BigInt(Math.round(n)).toString() + (scale > 0 ? `.${"0".repeat(scale)}` : "");
  const fixed = n.toFixed(scale);
  return /^-0(\.0*)?$/.test(fixed) ? fixed.slice(1) : fixed;
}

const DATE_PREFIX = /^(\d{4}-\d{2}-\d{2})/;

function toDate(value: Extracted): Coerced {
  if (value.kind === "null") return ok(null);
  if (value.kind !== "date") return fail(`expected a date, got ${describe(value)}`);
  // The calendar date as written in Notion, whatever the offset of a datetime.
  const match = DATE_PREFIX.exec(value.value);
  return match?.[1] ? ok(match[1]) : fail(`"${value.value}" is not a date`);
}

function toTimestamp(value: Extracted): Coerced {
  if (value.kind === "null") return ok(null);
  if (value.kind !== "date") return fail(`expected a date or datetime, got ${describe(value)}`);
  // A date without time is midnight UTC; a datetime with an offset is converted to the UTC instant.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value.value) ? `${value.value}T00:00:00.000Z` : value.value;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? fail(`"${value.value}" is not a datetime`) : ok(new Date(ms).toISOString());
}

function describe(value: Extracted): string {
  switch (value.kind) {
    case "list":
      return `a list of ${value.items.length} values`;
    case "text":
      return `text ${JSON.stringify(value.value.length > 40 ? `${value.value.slice(0, 40)}…` : value.value)}`;
    case "unreadable":
      return value.reason;
    case "null":
      return "nothing";
    default:
      return `${value.kind} ${String(value.value)}`;
  }
}
