import type { Extract } from "../config/index.js";
import type { PropertyAnswer } from "../notion/index.js";
import { singular, snakeCase } from "./names.js";

/**
 * One property's columns in a mapping draft, chosen from its Notion type (and, for what the schema
 * does not say, from sampled values): the contract's table of what each property becomes, read backwards.
 */
export interface ColumnDraft {
  readonly notionProperty: string;
  /** The wanted column name (made unique per table later). */
  readonly name: string;
  readonly type: string;
  readonly extract?: Extract;
  readonly values?: readonly string[];
  /** A relation's target data source (becomes `references:` when it is in the mapping). */
  readonly target?: string;
  /** What the comment says about the Notion property. */
  readonly note: string;
}

export interface DeriveOptions {
  /** People columns get a second column of e-mails (`extract: email`). */
  readonly emails: boolean;
  /** A property of another data source, by the relation that reaches it (for a rollup's rolled-up property). */
  readonly rolledUp: (relationPropertyId: string | undefined, property: { id?: string; name?: string }) => PropertyAnswer | undefined;
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Number formats that are not money; every other format Notion offers is a currency. */
const PLAIN_NUMBER_FORMATS = new Set(["number", "number_with_commas", "percent"]);
const WHOLE_ROLLUPS = new Set(["count", "count_all", "count_values", "empty", "not_empty", "unique", "count_unique_values", "checked", "unchecked"]);
const MONEY_ROLLUPS = new Set(["sum", "average", "median", "min", "max", "range"]);
const DATE_ROLLUPS = new Set(["earliest_date", "latest_date", "date_range"]);
const NUMBER_ROLLUPS = new Set([...WHOLE_ROLLUPS, ...MONEY_ROLLUPS, "percent_empty", "percent_not_empty", "percent_checked", "percent_unchecked"]);
const TEXT_TYPES = new Set(["title", "rich_text", "url", "email", "phone_number"]);

/** The columns of one property, or the reason it gets none. */
export function deriveColumns(name: string, property: PropertyAnswer, samples: readonly Json[], options: DeriveOptions): ColumnDraft[] | string {
  const base = snakeCase(name, "property");
  const config = obj(property[property.type]);
  const column = (type: string, note: string, more: Partial<ColumnDraft> = {}): ColumnDraft => ({ notionProperty: name, name: base, type, note, ...more });
  const values = (key: string) => samples.map((page) => obj(page[name])[key]);
  if (TEXT_TYPES.has(property.type)) return [column("STRING", property.type)];
  switch (property.type) {
    case "number":
      return [numberColumn(column, str(config.format) ?? "number")];
    case "select":
    case "status":
    case "multi_select":
      return [optionColumn(column, property.type, config)];
    case "checkbox":
      return [column("BOOLEAN", "checkbox")];
    case "date":
      return dateColumns(column, base, "date", values("date"));
    case "created_time":
    case "last_edited_time":
      return [column("TIMESTAMP", property.type)];
    case "people":
      return userColumns(column, base, options.emails);
    case "created_by":
    case "last_edited_by":
      return [
        column("STRING", `${property.type}: the user's id`, { name: idName(base, "_id") }),
        ...(options.emails ? [column("STRING", `${property.type}: the user's e-mail`, { name: `${base}_email`, extract: "email" as const })] : []),
      ];
    case "relation":
      return [column("ARRAY<STRING>", "relation: the related pages' ids", { name: idName(singular(base), "_ids"), target: str(config.data_source_id) })];
    case "files":
      return [column("ARRAY<STRING>", "files: the file names")];
    case "unique_id":
      return [str(config.prefix) ? column("STRING", `unique_id: ${str(config.prefix)}-123`) : column("BIGINT", "unique_id: the number")];
    case "formula":
      return formulaColumns(column, base, values("formula"));
    case "rollup":
      return rollupColumns(column, base, config, values("rollup"), options);
    default:
      return `a ${property.type} property, which the sync does not read`;
  }
}

type Make = (type: string, note: string, more?: Partial<ColumnDraft>) => ColumnDraft;

function numberColumn(column: Make, format: string): ColumnDraft {
  return PLAIN_NUMBER_FORMATS.has(format) ? column("DOUBLE", `number (${format})`) : column("DECIMAL(18,2)", `number (${format}: money)`);
}

function optionColumn(column: Make, type: string, config: Json): ColumnDraft {
  const options = Array.isArray(config.options) ? config.options.map((o) => str(obj(o).name)).filter((n): n is string => n !== undefined) : [];
  const note = options.length > 0 ? `${type}: values are its options now; an option added in Notion needs adding here` : type;
  return column(type === "multi_select" ? "ARRAY<STRING>" : "STRING", note, options.length > 0 ? { values: options } : {});
}

function userColumns(column: Make, base: string, emails: boolean): ColumnDraft[] {
  const one = singular(base);
  return [
    column("ARRAY<STRING>", "people: user ids", { name: idName(one, "_ids") }),
    ...(emails ? [column("ARRAY<STRING>", "people: e-mails", { name: `${one}_emails`, extract: "email" as const })] : []),
  ];
}

/** `owner` → `owner_ids`; a name that already says so is kept. */
function idName(base: string, suffix: "_id" | "_ids"): string {
  return base.endsWith(suffix) || (suffix === "_ids" && base === "ids") ? base : `${base}${suffix}`;
}

/** A date: `DATE`, or `TIMESTAMP` when sampled values carry times; a second column for the end when values are ranges. */
function dateColumns(column: Make, base: string, note: string, dates: readonly unknown[], range = false): ColumnDraft[] {
  const seen = dates.map(obj).filter((d) => str(d.start) !== undefined);
  const timed = seen.some((d) => [d.start, d.end].some((t) => typeof t === "string" && t.length > 10));
  const type = timed ? "TIMESTAMP" : "DATE";
  const ranged = range || seen.some((d) => typeof d.end === "string");
  const why = `${note}${timed ? " (values carry times)" : ""}`;
  return [column(type, why), ...(ranged ? [column(type, `${why}: the end of the range`, { name: `${base}_end`, extract: "end" as const })] : [])];
}

/** A formula by its result type, as the sampled values show it (STRING when no page has a value yet). */
function formulaColumns(column: Make, base: string, formulas: readonly unknown[]): ColumnDraft[] {
  const result = formulas.map(obj).find((f) => typeof f.type === "string" && f[f.type] !== null && f[f.type] !== undefined);
  switch (result?.type) {
    case "number":
      return [column("DOUBLE", "formula (number)")];
    case "boolean":
      return [column("BOOLEAN", "formula (boolean)")];
    case "date":
      return dateColumns(
        column,
        base,
        "formula (date)",
        formulas.map((f) => obj(f).date),
      );
    case "string":
      return [column("STRING", "formula (string)")];
    default:
      return [column("STRING", "formula: no page shows its result type yet; STRING reads any")];
  }
}

/** A rollup by its result type: the sampled values' type, else its function's. */
function rollupColumns(column: Make, base: string, config: Json, rollups: readonly unknown[], options: DeriveOptions): ColumnDraft[] {
  const fn = str(config.function) ?? "show_original";
  const sampled = rollups.map(obj).find((r) => r.type === "number" || r.type === "date" || r.type === "array")?.type;
  const kind = sampled ?? (NUMBER_ROLLUPS.has(fn) ? "number" : DATE_ROLLUPS.has(fn) ? "date" : "array");
  if (kind === "date")
    return dateColumns(
      column,
      base,
      `rollup (${fn})`,
      rollups.map((r) => obj(r).date),
      fn === "date_range",
    );
  if (kind === "array") return [column("ARRAY<STRING>", `rollup (${fn}): one item per value`)];
  if (WHOLE_ROLLUPS.has(fn)) return [column("BIGINT", `rollup (${fn})`)];
  const rolled = options.rolledUp(str(config.relation_property_id), { id: str(config.rollup_property_id), name: str(config.rollup_property_name) });
  const format = rolled?.type === "number" ? str(obj(rolled.number).format) : undefined;
  if (MONEY_ROLLUPS.has(fn) && format !== undefined && !PLAIN_NUMBER_FORMATS.has(format)) return [column("DECIMAL(18,2)", `rollup (${fn} of money)`)];
  return [column("DOUBLE", `rollup (${fn})`)];
}
