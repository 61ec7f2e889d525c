import { evaluateFormula } from "../compute/formulas.js";
import { computeRollup } from "../compute/rollups.js";
import { normalizeId } from "../core/ids.js";
import { parseSpan, type Span } from "../core/time.js";
import { invalid, invalidBody } from "../errors.js";
import type { DataSourceRecord, PageRecord, PropertySchema, PropertyType } from "../model/types.js";
import { boolOf, dateOf, filesOf, idsOf, numberOf, stringOf, textOf } from "../model/values.js";
import type { Workspace } from "../store/workspace.js";
import { checkboxTest, dateTest, existenceTest, listTest, numberTest, optionTest, textTest } from "./conditions.js";

export type Predicate = (page: PageRecord) => boolean;

export interface FilterContext {
  ws: Workspace;
  ds: DataSourceRecord;
  now: number;
}

const TEXT_TYPES: readonly PropertyType[] = ["title", "rich_text", "url", "email", "phone_number"];

/** Which property types a filter key may be applied to. */
const COMPATIBLE: Record<string, readonly PropertyType[]> = {
  title: TEXT_TYPES,
  rich_text: TEXT_TYPES,
  url: TEXT_TYPES,
  email: TEXT_TYPES,
  phone_number: TEXT_TYPES,
  number: ["number"],
  unique_id: ["unique_id"],
  checkbox: ["checkbox"],
  select: ["select"],
  status: ["status"],
  multi_select: ["multi_select"],
  date: ["date"],
  created_time: ["created_time"],
  last_edited_time: ["last_edited_time"],
  people: ["people", "created_by", "last_edited_by"],
  created_by: ["created_by"],
  last_edited_by: ["last_edited_by"],
  relation: ["relation"],
  files: ["files"],
  formula: ["formula"],
  rollup: ["rollup"],
};

/**
 * Compiles a query filter into a predicate, validating it as Notion does: `and`/`or` nest at most two
 * levels, properties are found by name or id ("Could not find property with name or id: X"), and each
 * condition must suit the property's type.
 */
export function compileFilter(ctx: FilterContext, filter: unknown, path = "body.filter", depth = 0): Predicate {
  if (filter === undefined || filter === null) return () => true;
  if (typeof filter !== "object" || Array.isArray(filter)) throw invalidBody(path, "should be an object.");
  const f = filter as Record<string, unknown>;
  for (const op of ["and", "or"] as const) {
    if (!(op in f)) continue;
    if (depth >= 2) throw invalidBody(path, "is nested too deeply: filters support at most two levels of `and`/`or`.");
    const parts = f[op];
    if (!Array.isArray(parts)) throw invalidBody(`${path}.${op}`, "should be an array.");
    const compiled = parts.map((p, i) => compileFilter(ctx, p, `${path}.${op}[${i}]`, depth + 1));
    return op === "and" ? (page) => compiled.every((c) => c(page)) : (page) => compiled.some((c) => c(page));
  }
  if (typeof f["timestamp"] === "string") return timestampFilter(ctx, f, path);
  if (typeof f["property"] === "string") return propertyFilter(ctx, f, f["property"], path);
  throw invalidBody(path, "should define `property`, `timestamp`, `and` or `or`.");
}

function timestampFilter(ctx: FilterContext, f: Record<string, unknown>, path: string): Predicate {
  const which = f["timestamp"];
  if (which !== "created_time" && which !== "last_edited_time") {
    throw invalidBody(`${path}.timestamp`, `should be \`created_time\` or \`last_edited_time\`, instead was \`${String(which)}\`.`);
  }
  const test = dateTest(f[which], `${path}.${which}`, ctx.now);
  return which === "created_time" ? (p) => test({ lo: p.createdTime, hi: p.createdTime + 1 }) : (p) => test({ lo: p.lastEditedTime, hi: p.lastEditedTime + 1 });
}

function propertyFilter(ctx: FilterContext, f: Record<string, unknown>, ref: string, path: string): Predicate {
  const prop = ctx.ws.property(ctx.ds, ref);
  if (!prop) throw invalid(`Could not find property with name or id: ${ref}`);
  const keys = Object.keys(f).filter((k) => k !== "property" && k !== "type");
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !(key in COMPATIBLE)) {
    throw invalidBody(path, `should define exactly one condition for property \`${prop.name}\`.`);
  }
  if (!COMPATIBLE[key]?.includes(prop.type)) {
    throw invalid(`body failed validation: ${path}.${key} cannot be used with property "${prop.name}" of type ${prop.type}.`);
  }
  return valueFilter(ctx, prop, f[key], `${path}.${key}`);
}

/** The predicate of one condition on one property, by the property's type. */
function valueFilter(ctx: FilterContext, prop: PropertySchema, cond: unknown, at: string): Predicate {
  const v = (p: PageRecord) => p.values[prop.id];
  switch (prop.type) {
    case "title":
    case "rich_text": {
      const t = textTest(cond, at);
      return (p) => t(textOf(v(p)));
    }
    case "url":
    case "email":
    case "phone_number": {
      const t = textTest(cond, at);
      return (p) => t(stringOf(v(p)) ?? "");
    }
    case "number":
    case "unique_id": {
      const t = numberTest(cond, at);
      return (p) => t(numberOf(v(p)));
    }
    case "checkbox": {
      const t = checkboxTest(cond, at);
      return (p) => t(boolOf(v(p)));
    }
    case "select":
    case "status": {
      const t = optionTest(cond, at);
      return (p) => t(prop.options?.find((o) => o.id === stringOf(v(p)))?.name ?? null);
    }
    case "multi_select": {
      const t = listTest(cond, at);
      return (p) => t(idsOf(v(p)).flatMap((id) => prop.options?.find((o) => o.id === id)?.name ?? []));
    }
    case "people":
    case "relation":
    case "created_by":
    case "last_edited_by":
      return referenceFilter(prop, cond, at);
    case "date":
    case "created_time":
    case "last_edited_time":
      return timeFilter(ctx, prop, cond, at);
    case "files": {
      const t = existenceTest(cond, at);
      return (p) => t(filesOf(v(p)).length === 0);
    }
    case "formula":
      return formulaFilter(ctx, prop, cond, at);
    case "rollup":
      return rollupFilter(ctx, prop, cond, at);
  }
}

/** People and relations (ids in the value), and the page's creator or last editor. */
function referenceFilter(prop: PropertySchema, cond: unknown, at: string): Predicate {
  const t = listTest(cond, at, (s) => normalizeId(s) ?? s);
  if (prop.type === "created_by") return (p) => t([p.createdBy]);
  if (prop.type === "last_edited_by") return (p) => t([p.lastEditedBy]);
  return (p) => t(idsOf(p.values[prop.id]));
}

/** A date property (its start), or the page's created or last edited time. */
function timeFilter(ctx: FilterContext, prop: PropertySchema, cond: unknown, at: string): Predicate {
  const t = dateTest(cond, at, ctx.now);
  if (prop.type === "date") return (p) => t(spanOf(dateOf(p.values[prop.id])?.start));
  return (p) => {
    const ms = prop.type === "created_time" ? p.createdTime : p.lastEditedTime;
    return t({ lo: ms, hi: ms + 1 });
  };
}

function spanOf(start: string | undefined): Span | null {
  return start === undefined ? null : (parseSpan(start) ?? null);
}

function subCondition(cond: unknown, at: string, allowed: readonly string[]): [string, unknown] {
  const entries = typeof cond === "object" && cond !== null ? Object.entries(cond) : [];
  const first = entries[0];
  if (entries.length !== 1 || !first || !allowed.includes(first[0])) {
    throw invalidBody(at, `should define exactly one of ${allowed.map((a) => `\`${a}\``).join(", ")}.`);
  }
  return first;
}

function formulaFilter(ctx: FilterContext, prop: PropertySchema, cond: unknown, at: string): Predicate {
  const [kind, sub] = subCondition(cond, at, ["string", "checkbox", "number", "date"]);
  const value = (p: PageRecord) => evaluateFormula(ctx.ds, p, prop);
  if (kind === "string") {
    const t = textTest(sub, `${at}.string`);
    return (p) => {
      const r = value(p);
      return t(r.type === "string" ? (r.string ?? "") : "");
    };
  }
  if (kind === "checkbox") {
    const t = checkboxTest(sub, `${at}.checkbox`);
    return (p) => {
      const r = value(p);
      return t(r.type === "boolean" && r.boolean);
    };
  }
  if (kind === "number") {
    const t = numberTest(sub, `${at}.number`);
    return (p) => {
      const r = value(p);
      return t(r.type === "number" ? r.number : null);
    };
  }
  const t = dateTest(sub, `${at}.date`, ctx.now);
  return (p) => {
    const r = value(p);
    return t(r.type === "date" ? spanOf(r.date?.start) : null);
  };
}

function rollupFilter(ctx: FilterContext, prop: PropertySchema, cond: unknown, at: string): Predicate {
  const [kind, sub] = subCondition(cond, at, ["number", "date"]);
  const value = (p: PageRecord) => computeRollup(ctx.ws, ctx.ds, p, prop, false, () => ({}));
  if (kind === "number") {
    const t = numberTest(sub, `${at}.number`);
    return (p) => {
      const r = value(p);
      return t(r.type === "number" ? r.number : null);
    };
  }
  const t = dateTest(sub, `${at}.date`, ctx.now);
  return (p) => {
    const r = value(p);
    return t(r.type === "date" ? spanOf(r.date?.start) : null);
  };
}
