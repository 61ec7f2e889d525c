import { isNumericType, type ColumnType } from "./column-type.js";
import type { ConfigIssue } from "./config-error.js";
import type { ColumnConfig } from "./mapping.js";
import type { RawColumn } from "./mapping-schema.js";

/** One mapped column, checked (its rules against its type) and built; `load-mapping.ts` checks the rest. */
export function toColumn(raw: RawColumn, type: ColumnType, line: number | undefined): ColumnConfig {
  return Object.freeze({
    notionProperty: raw.notion_property,
    name: raw.column_name,
    type,
    required: raw.required ?? false,
    unique: raw.unique ?? false,
    references: raw.references,
    extract: raw.extract,
    rules: Object.freeze({ min: raw.min, max: raw.max, pattern: raw.pattern, values: raw.values }),
    severity: raw.severity,
    line,
  });
}

/** `min`/`max` fit the column's type, `pattern` compiles and applies to text. */
export function checkRules(column: RawColumn, type: ColumnType, at: string, file: string, issues: ConfigIssue[]): void {
  const temporal = type.kind === "date" || type.kind === "timestamp";
  for (const bound of ["min", "max"] as const) {
    const value = column[bound];
    if (value === undefined) continue;
    if (isNumericType(type) && typeof value !== "number")
      issues.push({ source: file, path: `${at}.${bound}`, message: `must be a number for ${column.column_type}` });
    else if (temporal && (typeof value !== "string" || Number.isNaN(Date.parse(value))))
      issues.push({ source: file, path: `${at}.${bound}`, message: `must be an ISO date for ${column.column_type}` });
    else if (!isNumericType(type) && !temporal)
      issues.push({ source: file, path: `${at}.${bound}`, message: `applies to numbers and dates, not ${column.column_type}` });
  }
  if (column.pattern !== undefined) {
    try {
      new RegExp(column.pattern, "u");
    } catch (error) {
      issues.push({ source: file, path: `${at}.pattern`, message: `is not a valid regular expression: ${(error as Error).message}` });
    }
    if (type.kind !== "string" && type.kind !== "array_string")
      issues.push({ source: file, path: `${at}.pattern`, message: `applies to STRING and ARRAY<STRING> columns, not ${column.column_type}` });
  }
}
