import { formatColumnType, type ColumnType } from "../../config/index.js";
import type { Row, TableSpec } from "../table-spec.js";

/**
 * Databricks SQL text: identifier quoting (the one place it is done for this engine), the few fixed
 * literals the dialect writes itself, column types, and the JSON form in which a batch's rows travel
 * as ONE string parameter. Values never enter SQL text.
 */
export function quoteDatabricks(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}

/** `catalog.schema.table` with a catalog, `schema.table` without (the workspace default catalog). */
export function qualifyDatabricks(catalog: string | undefined, ...parts: readonly string[]): string {
  return [...(catalog ? [catalog] : []), ...parts].map(quoteDatabricks).join(".");
}

/**
 * A string literal for fixed text the code writes (a type schema, a separator), never for values.
 * Backslash escapes, because Spark up to 4.0 reads `'a''b'` as two literals concatenated.
 */
export function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\r/g, "\\r")}'`;
}

/** Column types are spelled as the mapping's contract spells them: Databricks SQL's own names. */
export const databricksTypeName: (type: ColumnType) => string = formatColumnType;

/** The DDL schema of a batch's JSON: an array of structs with the table's columns, in order. */
export function rowsSchema(table: TableSpec): string {
  return `ARRAY<STRUCT<${table.columns.map((c) => `${quoteDatabricks(c.name)}: ${databricksTypeName(c.type)}`).join(", ")}>>`;
}

/**
 * The options of `from_json`: FAILFAST, so a value that does not fit its column fails the statement
 * instead of silently becoming NULL; one timestamp layout, the one `rowsJson` writes.
 */
const FROM_JSON_OPTIONS = `map('mode', 'FAILFAST', 'timestampFormat', ${stringLiteral("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")})`;

/** A relation of the rows that the parameter `param` holds as JSON (see `rowsJson`). */
export function rowsRelation(table: TableSpec, param: string): string {
  return `(SELECT inline(from_json(${param}, ${stringLiteral(rowsSchema(table))}, ${FROM_JSON_OPTIONS})))`;
}

/**
 * The rows as one JSON array of objects with exactly the table's columns: DECIMAL as its decimal
 * text (exact), DATE as `YYYY-MM-DD`, TIMESTAMP as a UTC instant with milliseconds, lists as arrays.
 */
export function rowsJson(table: TableSpec, rows: readonly Row[]): string {
  return JSON.stringify(
    rows.map((row) => {
      const out: Record<string, unknown> = {};
      for (const column of table.columns) out[column.name] = jsonValue(column.type, row[column.name]);
      return out;
    }),
  );
}

function jsonValue(type: ColumnType, value: Row[string] | undefined): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case "decimal":
      return String(value);
    case "timestamp":
      return new Date(String(value)).toISOString();
    case "date":
      return String(value).slice(0, 10);
    default:
      return value;
  }
}
