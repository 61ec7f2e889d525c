import type { ColumnType } from "../../config/index.js";

/** DuckDB's identifier quoting: the one place it is done for this engine (dialect and driver both use it). */
export function quoteDuckDb(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
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
