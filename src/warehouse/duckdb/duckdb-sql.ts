import { basename, extname } from "node:path";
import type { ColumnType } from "../../config/index.js";

/** DuckDB's identifier quoting: the one place it is done for this engine (dialect and driver both use it). */
export function quoteDuckDb(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A string literal, for the one statement that takes no parameter: ATTACH's file path (a setting,
 * never data from Notion).
 */
export function stringLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The catalog name DuckDB gives a file it opens itself (its name without extension), unless that name is one of its own. */
export function catalogName(path: string): string {
  const stem = basename(path, extname(path));
  return stem === "" || ["memory", "system", "temp", "main"].includes(stem.toLowerCase()) ? "warehouse" : stem;
}

export function qualifyDuckDb(...parts: readonly string[]): string {
  return parts.map(quoteDuckDb).join(".");
}

/** DuckDB's name of a column type. */
export function duckDbTypeName(type: ColumnType): string {
  switch (type.kind) {
    case "string":
      return "VARCHAR";
    case "int":
      return "INTEGER";
    case "bigint":
      return "BIGINT";
    case "double":
      return "DOUBLE";
    case "decimal":
      return `DECIMAL(${type.precision},${type.scale})`;
    case "boolean":
      return "BOOLEAN";
    case "date":
      return "DATE";
    case "timestamp":
      return "TIMESTAMP";
    case "array_string":
      return "VARCHAR[]";
  }
}
