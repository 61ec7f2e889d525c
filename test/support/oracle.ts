/**
 * The end-to-end tests' oracle: what each silver row must hold, computed straight from the sandbox's
 * complete page objects and the mapping YAML, by code that shares nothing with src/transform. It
 * covers the property types and column types of the shipped mapping, following the contract's table.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

type Json = Record<string, any>;
export interface OracleColumn {
  notion_property: string;
  column_name: string;
  column_type: string;
  extract?: string;
  min?: number;
  max?: number;
  pattern?: string;
  values?: unknown[];
}

export function mappingColumns(file: string): Record<string, OracleColumn[]> {
  const doc = parse(readFileSync(file, "utf8")) as Record<string, { columns: OracleColumn[] }>;
  const out: Record<string, OracleColumn[]> = {};
  for (const [key, value] of Object.entries(doc)) if (key !== "settings") out[key] = value.columns;
  return out;
}

/**
 * Whether Notion cut anything in the page object of `page` (`shown`: the page as the API shows it):
 * then its rollups come from the property endpoint, whose "show original" of a title or text is a
 * flat list of rich-text pieces with no boundary between pages (docs/values.md, "The property
 * endpoint's answers"): one entry per piece.
 */
function wasCut(page: Json, shown: Json | undefined): boolean {
  if (!shown) return false;
  const cuttable = new Set(["relation", "people", "title", "rich_text", "rollup"]);
  return Object.entries(page.properties as Record<string, Json>).some(
    ([name, value]) => cuttable.has(value.type) && JSON.stringify(value) !== JSON.stringify(shown.properties[name]),
  );
}

interface ReadContext {
  readonly users: Map<string, Json>;
  /** Show-original texts come per rich-text piece (see `wasCut`). */
  readonly pieces: boolean;
}

/** Raw reading of one property as the contract's table says; arrays stay arrays. */
function read(prop: Json, c: OracleColumn, ctx: ReadContext): unknown {
  const users = ctx.users;
  const x = prop[prop.type];
  switch (prop.type) {
    case "title":
    case "rich_text":
      return x.length === 0 ? null : x.map((s: Json) => s.plain_text).join("");
    case "select":
    case "status":
      return x?.name ?? null;
    case "multi_select":
      return x.map((o: Json) => o.name);
    case "date":
      return x ? (c.extract === "end" ? x.end : x.start) : null;
    case "people":
      return x
        .map((u: Json) => (c.extract === "email" ? users.get(u.id)?.person?.email : c.extract === "name" ? users.get(u.id)?.name : u.id) ?? null)
        .filter((v: unknown) => v !== null);
    case "created_by":
    case "last_edited_by":
      return x.id;
    case "relation":
      return x.map((r: Json) => r.id);
    case "files":
      return x.map((f: Json) => f.name);
    case "unique_id":
      return c.extract === "number" || c.column_type === "INT" || c.column_type === "BIGINT" ? x.number : `${x.prefix}-${x.number}`;
    case "formula":
      return x[x.type] ?? null;
    case "rollup":
      return rollup(x, c, ctx);
    default:
      return x ?? null;
  }
}

/**
 * A rollup: a number or date as is (`extract: end` of a date range); "show original" is one value per
 * related page, each read as that property would be; values that are lists (people, relations) are
 * flattened into one list of ids, and a title or text is one string per page.
 */
function rollup(x: Json, c: OracleColumn, ctx: ReadContext): unknown {
  if (x.type === "date") return x.date ? (c.extract === "end" ? x.date.end : x.date.start) : null;
  if (x.type !== "array") return x[x.type] ?? null;
  const values = x.array.flatMap((element: Json) => {
    const text = element.type === "title" || element.type === "rich_text";
    if (text && ctx.pieces) return element[element.type].map((piece: Json) => piece.plain_text);
    const value = read({ id: "", ...element }, c, ctx);
    return Array.isArray(value) ? value : [value];
  });
  return values.filter((v: unknown) => v !== null);
}

function typed(raw: unknown, type: string): unknown {
  if (raw === null || raw === undefined) return null;
  const dateObject = (v: unknown) => (typeof v === "object" && v !== null && "start" in (v as Json) ? (v as Json).start : v);
  if (type === "ARRAY<STRING>") return Array.isArray(raw) ? raw.map(String) : [String(raw)];
  if (type === "STRING") return Array.isArray(raw) ? (raw.length ? raw.join(", ") : null) : String(raw);
  if (type.startsWith("DECIMAL")) return decimalText(raw as number, Number(/,(\d+)\)/.exec(type)![1]));
  if (type === "DATE") return String(dateObject(raw)).slice(0, 10);
  if (type === "TIMESTAMP") {
    const s = String(dateObject(raw));
    return new Date(s.length === 10 ? `${s}T00:00:00Z` : s).toISOString();
  }
  return raw;
}

/** A number's exact decimal text at `scale` digits (no exponent; a zero has no sign). */
function decimalText(n: number, scale: number): string {
  const text = Math.abs(n) >= 1e21 ? `${BigInt(n)}${scale > 0 ? `.${"0".repeat(scale)}` : ""}` : n.toFixed(scale);
  return /^-[0.]+$/.test(text) ? text.slice(1) : text;
}

/** Beyond what the column type holds: INT32, a JSON number's exact integers, DECIMAL(p,s)'s integer digits. */
function outOfRange(v: unknown, type: string): boolean {
  if (type === "INT") return Number(v) < -2147483648 || Number(v) > 2147483647;
  if (type === "BIGINT") return !Number.isSafeInteger(Number(v));
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(type);
  return (
    decimal !== null &&
    String(v)
      .replace(/^-/, "")
      .split(".")[0]!
      .replace(/^0+(?=\d)/, "").length >
      Number(decimal[1]) - Number(decimal[2])
  );
}

function breaks(value: unknown, c: OracleColumn): boolean {
  if (value === null) return false;
  const items = Array.isArray(value) ? value : [value];
  return items.some((v) => {
    if (outOfRange(v, c.column_type)) return true;
    const n = Number(v);
    if (c.min !== undefined && n < c.min) return true;
    if (c.max !== undefined && n > c.max) return true;
    if (c.pattern !== undefined && !new RegExp(c.pattern, "u").test(String(v))) return true;
    if (c.values !== undefined && !c.values.map(String).includes(String(v))) return true;
    if ((c.column_type === "INT" || c.column_type === "BIGINT") && !Number.isInteger(n)) return true;
    return false;
  });
}

/**
 * The expected silver row of a page (policy `null`: invalid values are null). `shown` is the page as
 * the API's page objects show it (truncated), where the test has it.
 */
export function expectedRow(page: Json, columns: OracleColumn[], users: Map<string, Json>, shown?: Json): Record<string, unknown> {
  const ctx: ReadContext = { users, pieces: wasCut(page, shown) };
  const row: Record<string, unknown> = {
    page_id: page.id,
    created_time: page.created_time,
    last_edited_time: page.last_edited_time,
    url: page.url,
    _is_deleted: page.in_trash === true,
  };
  for (const c of columns) {
    const value = typed(read(page.properties[c.notion_property], c, ctx), c.column_type);
    row[c.column_name] = breaks(value, c) ? null : value;
  }
  return row;
}

/** How an engine spells the oracle's representations (ISO text, date text, decimal text, lists). */
export interface OracleSql {
  quote(name: string): string;
  iso(expr: string): string;
  date(expr: string): string;
  text(expr: string): string;
  /** A list as the engine's query returns it; `parseList` turns that into an array. */
  list(expr: string): string;
  parseList(value: unknown): unknown;
}

export const DUCKDB_ORACLE: OracleSql = {
  quote: (name) => `"${name}"`,
  iso: (expr) => `strftime(${expr}, '%Y-%m-%dT%H:%M:%S.%gZ')`,
  date: (expr) => `strftime(${expr}, '%Y-%m-%d')`,
  text: (expr) => `CAST(${expr} AS VARCHAR)`,
  list: (expr) => expr,
  parseList: (value) => value,
};

/** Spark SQL (the Databricks dialect): lists travel as JSON text. */
export const SPARK_ORACLE: OracleSql = {
  quote: (name) => `\`${name}\``,
  iso: (expr) => `date_format(${expr}, 'yyyy-MM-dd\\'T\\'HH:mm:ss.SSS\\'Z\\'')`,
  date: (expr) => `CAST(${expr} AS STRING)`,
  text: (expr) => `CAST(${expr} AS STRING)`,
  list: (expr) => `to_json(${expr})`,
  parseList: (value) => (value === null ? null : JSON.parse(String(value))),
};

/** Selects a silver table with every value in the oracle's representation (ISO text, decimal text). */
export function silverSelect(table: string, columns: OracleColumn[], sql: OracleSql = DUCKDB_ORACLE): string {
  const q = sql.quote;
  const iso = (name: string) => `${sql.iso(q(name))} AS ${q(name)}`;
  const parts = ["page_id", iso("created_time"), iso("last_edited_time"), "url", "_is_deleted"];
  for (const c of columns) {
    const name = c.column_name;
    if (c.column_type === "DATE") parts.push(`${sql.date(q(name))} AS ${q(name)}`);
    else if (c.column_type === "TIMESTAMP") parts.push(iso(name));
    else if (c.column_type.startsWith("DECIMAL")) parts.push(`${sql.text(q(name))} AS ${q(name)}`);
    else if (c.column_type === "ARRAY<STRING>") parts.push(`${sql.list(q(name))} AS ${q(name)}`);
    else parts.push(q(name));
  }
  return `SELECT ${parts.join(", ")} FROM ${table} ORDER BY page_id`;
}
