import { evaluateFormula } from "../compute/formulas.js";
import { computeRollup } from "../compute/rollups.js";
import { parseSpan } from "../core/time.js";
import { invalid, invalidBody } from "../errors.js";
import type { PageRecord, PropertySchema } from "../model/types.js";
import { boolOf, dateOf, filesOf, idsOf, numberOf, stringOf, textOf } from "../model/values.js";
import type { FilterContext } from "./filter.js";

/** A sortable key part; null sorts last in either direction, as Notion puts empty values at the bottom. */
export type SortValue = number | string | null;

export interface CompiledSort {
  extract: Array<(page: PageRecord) => SortValue>;
  directions: Array<1 | -1>;
}

/**
 * Compiles `sorts` (`[{property, direction}]` or `[{timestamp, direction}]`, earlier ones first).
 * Ties, and queries without sorts, fall back to page id order: stable, but unrelated to creation order.
 */
export function compileSorts(ctx: FilterContext, sorts: unknown): CompiledSort {
  const out: CompiledSort = { extract: [], directions: [] };
  if (sorts === undefined || sorts === null) return out;
  if (!Array.isArray(sorts)) throw invalidBody("body.sorts", "should be an array.");
  sorts.forEach((raw, i) => {
    const at = `body.sorts[${i}]`;
    if (typeof raw !== "object" || raw === null) throw invalidBody(at, "should be an object.");
    const s = raw as Record<string, unknown>;
    const direction = s["direction"];
    if (direction !== "ascending" && direction !== "descending") {
      throw invalidBody(`${at}.direction`, `should be \`ascending\` or \`descending\`, instead was \`${String(direction)}\`.`);
    }
    out.directions.push(direction === "ascending" ? 1 : -1);
    if (s["timestamp"] === "created_time") out.extract.push((p) => p.createdTime);
    else if (s["timestamp"] === "last_edited_time") out.extract.push((p) => p.lastEditedTime);
    else if (typeof s["property"] === "string") {
      const prop = ctx.ws.property(ctx.ds, s["property"]);
      if (!prop) throw invalid(`Could not find sort property with name or id: ${s["property"]}`);
      out.extract.push(propertyKey(ctx, prop));
    } else throw invalidBody(at, "should define `property` or `timestamp` (`created_time` or `last_edited_time`).");
  });
  return out;
}

function lower(s: string): string | null {
  return s === "" ? null : s.toLowerCase();
}

function propertyKey(ctx: FilterContext, prop: PropertySchema): (page: PageRecord) => SortValue {
  const v = (p: PageRecord) => p.values[prop.id];
  const optionIndex = (id: string | undefined | null) => {
    const i = prop.options?.findIndex((o) => o.id === id) ?? -1;
    return i < 0 ? null : i;
  };
  const userName = (id: string | undefined) => (id === undefined ? null : lower(ctx.ws.userById.get(id)?.name ?? id));
  switch (prop.type) {
    case "title":
    case "rich_text":
      return (p) => lower(textOf(v(p)));
    case "url":
    case "email":
    case "phone_number":
      return (p) => lower(stringOf(v(p)) ?? "");
    case "number":
    case "unique_id":
      return (p) => numberOf(v(p));
    case "checkbox":
      return (p) => (boolOf(v(p)) ? 1 : 0);
    case "select":
    case "status":
      return (p) => optionIndex(stringOf(v(p)));
    case "multi_select":
      return (p) => optionIndex(idsOf(v(p))[0]);
    case "date":
      return (p) => parseSpan(dateOf(v(p))?.start ?? "")?.lo ?? null;
    case "people":
      return (p) => userName(idsOf(v(p))[0]);
    case "created_by":
      return (p) => userName(p.createdBy);
    case "last_edited_by":
      return (p) => userName(p.lastEditedBy);
    case "relation":
      return (p) => idsOf(v(p)).length || null;
    case "files":
      return (p) => lower(filesOf(v(p))[0]?.name ?? "");
    case "created_time":
      return (p) => p.createdTime;
    case "last_edited_time":
      return (p) => p.lastEditedTime;
    case "formula":
      return (p) => {
        const r = evaluateFormula(ctx.ds, p, prop);
        if (r.type === "number") return r.number;
        if (r.type === "string") return lower(r.string ?? "");
        if (r.type === "boolean") return r.boolean ? 1 : 0;
        return r.type === "date" ? (parseSpan(r.date?.start ?? "")?.lo ?? null) : null;
      };
    case "rollup":
      return (p) => {
        const r = computeRollup(ctx.ws, ctx.ds, p, prop, false, () => ({}));
        if (r.type === "number") return r.number;
        return r.type === "date" ? (parseSpan(r.date?.start ?? "")?.lo ?? null) : null;
      };
  }
}

function compareValue(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === typeof b) return a < b ? -1 : 1;
  return typeof a === "number" ? -1 : 1;
}

/** Total order on (keys…, id): keys by direction with empties last, then id ascending. */
export function compareRows(dirs: ReadonlyArray<1 | -1>, a: readonly SortValue[], aId: string, b: readonly SortValue[], bId: string): number {
  for (let i = 0; i < dirs.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      const c = compareValue(x, y);
      if (c !== 0) return c;
      continue;
    }
    const c = compareValue(x, y) * (dirs[i] ?? 1);
    if (c !== 0) return c;
  }
  return aId < bId ? -1 : aId > bId ? 1 : 0;
}
