import { parseSpan } from "../core/time.js";
import type { DataSourceRecord, DateValue, PageRecord, PropertySchema, RollupFunction } from "../model/types.js";
import { boolOf, dateOf, numberOf } from "../model/values.js";
import type { Workspace } from "../store/workspace.js";
import { evaluateFormula } from "./formulas.js";

/** A rollup value in its API shape. */
export type RollupResult =
  | { type: "number"; number: number | null; function: RollupFunction }
  | { type: "date"; date: DateValue | null; function: RollupFunction }
  | { type: "array"; array: unknown[]; function: RollupFunction }
  | { type: "unsupported"; unsupported: Record<string, never>; function: RollupFunction };

/** Renders one related value without its property id, e.g. `{type:"status", status:{…}}` (from `render/`). */
export type SimpleValueRenderer = (page: PageRecord, ds: DataSourceRecord, prop: PropertySchema) => Record<string, unknown>;

/** Notion evaluates page-object rollups over the first 25 related pages only (a real, documented bug). */
export const PAGE_OBJECT_RELATION_LIMIT = 25;

type Scalar =
  | { kind: "number"; n: number }
  | { kind: "date"; ms: number; value: DateValue }
  | { kind: "bool"; b: boolean }
  | { kind: "other"; key: string }
  | { kind: "empty" };

/**
 * Computes a rollup. With `truncate` only the first 25 relations count (what page objects show);
 * without it every relation counts (what the property-item endpoint returns). Trashed and missing pages are skipped.
 */
export function computeRollup(
  ws: Workspace,
  ds: DataSourceRecord,
  page: PageRecord,
  prop: PropertySchema,
  truncate: boolean,
  render: SimpleValueRenderer,
  depth = 0,
): RollupResult {
  const fn: RollupFunction = prop.rollup?.fn ?? "count";
  const unsupported: RollupResult = { type: "unsupported", unsupported: {}, function: fn };
  const rolled = rolledUp(ws, ds, page, prop, truncate);
  if (!rolled || depth > 2) return unsupported;
  const { targetDs, target, related } = rolled;
  if (fn === "show_original" || fn === "show_unique") {
    const values = related.map((r) => render(r, targetDs, target));
    const array = fn === "show_original" ? values : uniqueBy(values);
    return { type: "array", array, function: fn };
  }
  const scalars = related.map((r) => scalarOf(ws, targetDs, r, target, truncate, render, depth));
  return aggregate(fn, scalars) ?? unsupported;
}

/** What a rollup rolls up: the related data source and property, and the related pages (live ones, the first 25 with `truncate`). */
export function rolledUp(
  ws: Workspace,
  ds: DataSourceRecord,
  page: PageRecord,
  prop: PropertySchema,
  truncate: boolean,
): { targetDs: DataSourceRecord; target: PropertySchema; related: PageRecord[] } | undefined {
  const cfg = prop.rollup;
  const relation = cfg && ws.propertyById(ds, cfg.relationPropertyId);
  const targetDs = relation?.relation && ws.dataSource(relation.relation.dataSourceId);
  const target = cfg && targetDs && ws.propertyById(targetDs, cfg.rollupPropertyId);
  if (!relation || !targetDs || !target) return undefined;
  const stored = page.values[relation.id];
  let ids = Array.isArray(stored) ? (stored as string[]) : [];
  if (truncate) ids = ids.slice(0, PAGE_OBJECT_RELATION_LIMIT);
  const related: PageRecord[] = [];
  for (const id of ids) {
    const other = ws.pages.get(id);
    if (other && !other.inTrash) related.push(other);
  }
  return { targetDs, target, related };
}

/** Rollup functions the property-item endpoint does not compute: it lists the rolled-up items instead. */
export const LISTED_ROLLUPS: ReadonlySet<RollupFunction> = new Set(["show_original", "show_unique", "median", "unique"]);

function uniqueBy(values: Record<string, unknown>[]): Record<string, unknown>[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function scalarOf(
  ws: Workspace,
  ds: DataSourceRecord,
  page: PageRecord,
  prop: PropertySchema,
  truncate: boolean,
  render: SimpleValueRenderer,
  depth: number,
): Scalar {
  const raw = page.values[prop.id];
  switch (prop.type) {
    case "number": {
      const n = numberOf(raw);
      return n === null ? { kind: "empty" } : { kind: "number", n };
    }
    case "checkbox":
      return { kind: "bool", b: boolOf(raw) };
    case "date":
      return dateScalar(dateOf(raw));
    case "created_time":
    case "last_edited_time": {
      const ms = prop.type === "created_time" ? page.createdTime : page.lastEditedTime;
      return { kind: "date", ms, value: { start: new Date(ms).toISOString(), end: null, time_zone: null } };
    }
    case "formula": {
      const f = evaluateFormula(ds, page, prop);
      if (f.type === "number") return f.number === null ? { kind: "empty" } : { kind: "number", n: f.number };
      if (f.type === "boolean") return { kind: "bool", b: f.boolean };
      if (f.type === "date") return dateScalar(f.date);
      return f.type === "string" && f.string ? { kind: "other", key: f.string } : { kind: "empty" };
    }
    case "rollup": {
      const r = computeRollup(ws, ds, page, prop, truncate, render, depth + 1);
      if (r.type === "number") return r.number === null ? { kind: "empty" } : { kind: "number", n: r.number };
      return r.type === "date" ? dateScalar(r.date) : { kind: "empty" };
    }
    default: {
      const isEmpty = raw === undefined || raw === null || raw === "" || (Array.isArray(raw) && raw.length === 0);
      return isEmpty ? { kind: "empty" } : { kind: "other", key: JSON.stringify(raw) };
    }
  }
}

function dateScalar(value: DateValue | null): Scalar {
  const span = value ? parseSpan(value.start) : undefined;
  return value && span ? { kind: "date", ms: span.lo, value } : { kind: "empty" };
}

function aggregate(fn: RollupFunction, values: Scalar[]): RollupResult | undefined {
  const num = (n: number | null): RollupResult => ({ type: "number", number: n, function: fn });
  const filled = values.filter((v) => v.kind !== "empty" && !(v.kind === "bool" && !v.b));
  const ratio = (part: number) => (values.length === 0 ? 0 : part / values.length);
  const numbers = values.flatMap((v) => (v.kind === "number" ? [v.n] : [])).sort((a, b) => a - b);
  const dates = values.flatMap((v) => (v.kind === "date" ? [v] : [])).sort((a, b) => a.ms - b.ms);
  const checked = values.filter((v) => v.kind === "bool" && v.b).length;
  switch (fn) {
    case "count":
      return num(values.length);
    case "count_values":
    case "not_empty":
      return num(filled.length);
    case "empty":
      return num(values.length - filled.length);
    case "unique":
      return num(new Set(filled.map((v) => JSON.stringify(v))).size);
    case "percent_empty":
      return num(ratio(values.length - filled.length));
    case "percent_not_empty":
      return num(ratio(filled.length));
    case "sum":
      return num(numbers.reduce((a, b) => a + b, 0));
    case "average":
      return num(numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null);
    case "median":
      return num(median(numbers));
    case "min":
      return num(numbers[0] ?? null);
    case "max":
      return num(numbers[numbers.length - 1] ?? null);
    case "range":
      return num(numbers.length ? (numbers[numbers.length - 1] ?? 0) - (numbers[0] ?? 0) : null);
    case "checked":
      return num(checked);
    case "unchecked":
      return num(values.length - checked);
    case "percent_checked":
      return num(ratio(checked));
    case "percent_unchecked":
      return num(ratio(values.length - checked));
    case "earliest_date":
      return { type: "date", date: dates[0]?.value ?? null, function: fn };
    case "latest_date":
      return { type: "date", date: dates[dates.length - 1]?.value ?? null, function: fn };
    case "date_range": {
      const first = dates[0];
      const last = dates[dates.length - 1];
      return { type: "date", date: first && last ? { start: first.value.start, end: last.value.start, time_zone: null } : null, function: fn };
    }
    default:
      return undefined;
  }
}

function median(sorted: number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
