import { LIST, VARCHAR, dateValue, decimalValue, listValue, timestampValue, type DuckDBAppender } from "@duckdb/node-api";

const STRING_LIST = LIST(VARCHAR);
import type { ColumnType } from "../../config/index.js";

type Value = string | number | boolean | null | readonly string[] | undefined;

/**
 * Appends one value with DuckDB's exact type: DECIMAL from its decimal text (no binary rounding),
 * DATE from `YYYY-MM-DD`, TIMESTAMP from an ISO instant (stored as UTC), lists of strings.
 */
export function appendValue(appender: DuckDBAppender, type: ColumnType, value: Value): void {
  if (value === null || value === undefined) {
    appender.appendNull();
    return;
  }
  switch (type.kind) {
    case "string":
      appender.appendVarchar(String(value));
      return;
    case "int":
      appender.appendInteger(value as number);
      return;
    case "bigint":
      appender.appendBigInt(BigInt(value as number));
      return;
    case "double":
      appender.appendDouble(value as number);
      return;
    case "decimal":
      appender.appendDecimal(decimalValue(scaledDecimal(String(value), type.scale), type.precision, type.scale));
      return;
    case "boolean":
      appender.appendBoolean(value as boolean);
      return;
    case "date":
      appender.appendDate(dateValue(Math.round(Date.parse(`${String(value)}T00:00:00Z`) / 86_400_000)));
      return;
    case "timestamp":
      appender.appendTimestamp(timestampValue(BigInt(Date.parse(String(value))) * 1000n));
      return;
    case "array_string":
      appender.appendList(listValue(value as readonly string[]), STRING_LIST);
      return;
  }
}

/** "123.4" at scale 2 → 12340n, exactly. */
export function scaledDecimal(text: string, scale: number): bigint {
  const negative = text.startsWith("-");
  const [whole = "0", fraction = ""] = text.replace(/^[-+]/, "").split(".");
  const digits = `${whole}${fraction.padEnd(scale, "0").slice(0, scale)}`;
  const unscaled = BigInt(digits === "" ? "0" : digits);
  return negative ? -unscaled : unscaled;
}
