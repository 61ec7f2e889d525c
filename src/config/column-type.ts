/**
 * Column types of the mapping: the Databricks SQL types the contract allows. Parsed once from the
 * mapping's `column_type` text into a closed union that the transform, the row model and every
 * warehouse dialect switch on.
 */
export type ColumnType =
  | { readonly kind: "string" }
  | { readonly kind: "int" }
  | { readonly kind: "bigint" }
  | { readonly kind: "double" }
  | { readonly kind: "decimal"; readonly precision: number; readonly scale: number }
  | { readonly kind: "boolean" }
  | { readonly kind: "date" }
  | { readonly kind: "timestamp" }
  | { readonly kind: "array_string" };

export const SUPPORTED_COLUMN_TYPES = "STRING, INT, BIGINT, DOUBLE, DECIMAL(p,s), BOOLEAN, DATE, TIMESTAMP, ARRAY<STRING>";

const SIMPLE: Record<string, ColumnType> = {
  STRING: { kind: "string" },
  INT: { kind: "int" },
  INTEGER: { kind: "int" },
  BIGINT: { kind: "bigint" },
  DOUBLE: { kind: "double" },
  BOOLEAN: { kind: "boolean" },
  DATE: { kind: "date" },
  TIMESTAMP: { kind: "timestamp" },
  "ARRAY<STRING>": { kind: "array_string" },
};

/** Parses `DECIMAL(18, 2)`, `array<string>` ...; returns a reason string when the text is not a supported type. */
export function parseColumnType(text: string): ColumnType | string {
  const normalized = text.trim().toUpperCase().replace(/\s+/g, "");
  const simple = SIMPLE[normalized];
  if (simple) return simple;
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(normalized);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    if (precision < 1 || precision > 38) return `DECIMAL precision must be 1..38, got ${precision}`;
    if (scale > precision) return `DECIMAL scale ${scale} is larger than its precision ${precision}`;
    return { kind: "decimal", precision, scale };
  }
  return `"${text}" is not a supported column_type; use one of ${SUPPORTED_COLUMN_TYPES}`;
}

/** The canonical Databricks spelling, used in DDL, hashes and messages. */
export function formatColumnType(type: ColumnType): string {
  switch (type.kind) {
    case "decimal":
      return `DECIMAL(${type.precision},${type.scale})`;
    case "array_string":
      return "ARRAY<STRING>";
    default:
      return type.kind.toUpperCase();
  }
}

export function isNumericType(type: ColumnType): boolean {
  return type.kind === "int" || type.kind === "bigint" || type.kind === "double" || type.kind === "decimal";
}
