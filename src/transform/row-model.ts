import { z } from "zod";
import type { ColumnConfig } from "../config/index.js";
import type { ColumnValue, ViolationRule } from "./types.js";

/**
 * The zod row model of one database, built from its mapping: each column's type and rules
 * (`min`, `max`, `pattern`, `values`, and the type's own range). `required` is not a validation
 * rule: a missing value is a data-quality issue, not an invalid one.
 */
export interface RowModel {
  /** Validates coerced values; returns the failing columns with the rule each broke. */
  validate(values: Readonly<Record<string, ColumnValue>>): readonly RowModelIssue[];
}

export interface RowModelIssue {
  readonly column: string;
  readonly rule: ViolationRule;
  readonly message: string;
}

const INT32 = { min: -2147483648, max: 2147483647 };
const rule = (name: ViolationRule) => ({ params: { rule: name } });

export function buildRowModel(columns: readonly ColumnConfig[]): RowModel {
  const shape: Record<string, z.ZodType> = {};
  for (const column of columns) shape[column.name] = columnSchema(column).nullable();
  const schema = z.object(shape);
  return {
    validate(values) {
      const result = schema.safeParse(values);
      if (result.success) return [];
      return result.error.issues.map((issue) => ({
        column: String(issue.path[0] ?? ""),
        rule: ruleOf(issue),
        message: issue.message,
      }));
    },
  };
}

function ruleOf(issue: z.core.$ZodIssue): ViolationRule {
  if (issue.code === "custom") return (issue.params as { rule?: ViolationRule } | undefined)?.rule ?? "type";
  if (issue.code === "too_small") return "min";
  if (issue.code === "too_big") return "max";
  if (issue.code === "invalid_format") return "pattern";
  return "type";
}

function columnSchema(column: ColumnConfig): z.ZodType {
  const { type, rules } = column;
  switch (type.kind) {
    case "int":
    case "bigint":
    case "double": {
      let schema = z.number();
      if (type.kind === "int") schema = schema.refine((n) => n >= INT32.min && n <= INT32.max, { message: "outside the INT range", ...rule("range") });
      if (type.kind === "bigint")
        schema = schema.refine((n) => Number.isSafeInteger(n), { message: "outside the exact BIGINT range of a JSON number", ...rule("range") });
      if (typeof rules.min === "number") schema = schema.min(rules.min, `must be ≥ ${rules.min}`);
      if (typeof rules.max === "number") schema = schema.max(rules.max, `must be ≤ ${rules.max}`);
      return withValues(schema, rules.values);
    }
    case "decimal": {
      const integerDigits = type.precision - type.scale;
      let schema: z.ZodType<string> = z.string().refine(
        (s) =>
          s
            .replace(/^-/, "")
            .split(".")[0]!
            .replace(/^0+(?=\d)/, "").length <= integerDigits,
        {
          message: `has more than ${integerDigits} digits before the point (DECIMAL(${type.precision},${type.scale}))`,
          ...rule("range"),
        },
      );
      const min = rules.min;
      const max = rules.max;
      if (typeof min === "number") schema = schema.refine((s) => Number(s) >= min, { message: `must be ≥ ${min}`, ...rule("min") });
      if (typeof max === "number") schema = schema.refine((s) => Number(s) <= max, { message: `must be ≤ ${max}`, ...rule("max") });
      return withValues(schema, rules.values?.map(String));
    }
    case "date":
    case "timestamp": {
      const key = (s: string) => (type.kind === "date" ? s : Date.parse(s));
      let schema: z.ZodType<string> = z.string();
      const min = rules.min;
      const max = rules.max;
      if (typeof min === "string") schema = schema.refine((s) => key(s) >= key(min), { message: `must be on or after ${min}`, ...rule("min") });
      if (typeof max === "string") schema = schema.refine((s) => key(s) <= key(max), { message: `must be on or before ${max}`, ...rule("max") });
      return schema;
    }
    case "boolean":
      return withValues(z.boolean(), rules.values);
    case "string":
      return textSchema(rules.pattern, rules.values);
    case "array_string":
      return z.array(textSchema(rules.pattern, rules.values));
  }
}

function textSchema(pattern: string | undefined, values: ColumnConfig["rules"]["values"]): z.ZodType<string> {
  let schema: z.ZodType<string> = z.string();
  if (pattern !== undefined) {
    const regex = new RegExp(pattern, "u");
    schema = schema.refine((s) => regex.test(s), { message: `does not match the pattern ${pattern}`, ...rule("pattern") });
  }
  return withValues(schema, values?.map(String));
}

function withValues<T extends string | number | boolean>(schema: z.ZodType<T>, values: readonly unknown[] | undefined): z.ZodType<T> {
  if (!values) return schema;
  const allowed = new Set<unknown>(values);
  return schema.refine((v) => allowed.has(v), { message: `is not one of the allowed values (${[...allowed].map(String).join(", ")})`, ...rule("values") });
}
