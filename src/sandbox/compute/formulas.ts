import { addDays, DAY_MS, parseSpan } from "../core/time.js";
import type { DataSourceRecord, DateValue, PageRecord, PropertySchema } from "../model/types.js";
import { dateOf, numberOf, stringOf } from "../model/values.js";

/** A formula value in its API shape. */
export type FormulaResult =
  | { type: "number"; number: number | null }
  | { type: "string"; string: string | null }
  | { type: "boolean"; boolean: boolean }
  | { type: "date"; date: DateValue | null }
  | { type: "unsupported"; unsupported: Record<string, never> };

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Evaluates a built-in formula from the page's current values (formulas are always fresh). */
export function evaluateFormula(ds: DataSourceRecord, page: PageRecord, prop: PropertySchema): FormulaResult {
  const f = prop.formula;
  if (!f || f.kind === "custom") return { type: "unsupported", unsupported: {} };
  const v = (i: number) => page.values[f.refs[i] ?? ""];
  switch (f.kind) {
    case "difference": {
      const a = numberOf(v(0));
      return { type: "number", number: a === null ? null : round2(a - (numberOf(v(1)) ?? 0)) };
    }
    case "greater":
      return { type: "boolean", boolean: (numberOf(v(0)) ?? 0) > (numberOf(v(1)) ?? 0) };
    case "product": {
      const a = numberOf(v(0));
      const b = numberOf(v(1));
      return { type: "number", number: a === null || b === null ? null : a * b };
    }
    case "minus_days": {
      const d = dateOf(v(0));
      return { type: "date", date: d ? { start: addDays(d.start, -(f.param ?? 0)), end: null, time_zone: null } : null };
    }
    case "days_late": {
      const done = dateOf(v(0));
      const due = dateOf(v(1));
      const doneAt = done ? parseSpan(done.start.slice(0, 10)) : undefined;
      const dueAt = due ? parseSpan(due.start.slice(0, 10)) : undefined;
      if (!doneAt || !dueAt) return { type: "number", number: null };
      return { type: "number", number: Math.max(0, Math.round((doneAt.lo - dueAt.lo) / DAY_MS)) };
    }
    case "health":
      return { type: "string", string: health(ds, page, f.refs) };
  }
}

function health(ds: DataSourceRecord, page: PageRecord, refs: string[]): string | null {
  const statusProp = ds.properties.find((p) => p.id === refs[0]);
  const optionId = stringOf(page.values[refs[0] ?? ""]);
  const status = statusProp?.options?.find((o) => o.id === optionId)?.name;
  if (status === "Done") return "Closed";
  if (status === "Blocked") return "Red";
  const spent = numberOf(page.values[refs[1] ?? ""]) ?? 0;
  const budget = numberOf(page.values[refs[2] ?? ""]);
  if (budget === null) return null;
  if (spent > budget) return "Red";
  return spent > 0.9 * budget ? "Amber" : "Green";
}

/** The expression text shown in the schema, built from the referenced properties' current names. */
export function formulaExpression(ds: DataSourceRecord, prop: PropertySchema): string {
  const f = prop.formula;
  if (!f) return "";
  if (f.kind === "custom") return f.expression ?? "";
  const n = (i: number) => `prop("${ds.properties.find((p) => p.id === f.refs[i])?.name ?? "?"}")`;
  switch (f.kind) {
    case "difference":
      return `${n(0)} - ${n(1)}`;
    case "greater":
      return `${n(0)} > ${n(1)}`;
    case "product":
      return `${n(0)} * ${n(1)}`;
    case "minus_days":
      return `dateSubtract(${n(0)}, ${f.param ?? 0}, "days")`;
    case "days_late":
      return `if(empty(${n(0)}), toNumber(""), max(0, dateBetween(${n(0)}, ${n(1)}, "days")))`;
    case "health":
      return `if(${n(0)} == "Done", "Closed", if(${n(0)} == "Blocked", "Red", if(empty(${n(2)}), "", if(${n(1)} > ${n(2)}, "Red", if(${n(1)} > 0.9 * ${n(2)}, "Amber", "Green")))))`;
  }
}
