import { evaluateFormula } from "../compute/formulas.js";
import { computeRollup, PAGE_OBJECT_RELATION_LIMIT } from "../compute/rollups.js";
import { iso } from "../core/time.js";
import type { DataSourceRecord, PageRecord, PropertySchema, RichTextItem, SelectOption } from "../model/types.js";
import { boolOf, dateOf, filesOf, idsOf, numberOf, richTextOf, stringOf } from "../model/values.js";
import type { Workspace } from "../store/workspace.js";
import { renderFile } from "./files.js";
import { renderUserRef } from "./users.js";
import type { FormulaAnswer, PropertyValueAnswer, RichTextItemResponse, RollupAnswer, SelectAnswer, ValueBody } from "./wire-types.js";

function option(o: SelectOption | undefined): SelectAnswer | null {
  return o ? ({ id: o.id, name: o.name, color: o.color } as SelectAnswer) : null;
}

function findOption(prop: PropertySchema, id: string | null): SelectOption | undefined {
  return id === null ? undefined : prop.options?.find((o) => o.id === id);
}

/**
 * Page objects resolve at most 25 inline page or person mentions of a title or rich_text value; past
 * that Notion documents them as "Untitled"/"Anonymous" (or missing): shown here as "Untitled" and "@Anonymous".
 */
function capMentions(items: RichTextItem[]): RichTextItem[] {
  let references = 0;
  return items.map((item) => {
    const kind = item.type === "mention" ? (item.mention?.["type"] as string | undefined) : undefined;
    if (kind !== "user" && kind !== "page") return item;
    references += 1;
    if (references <= PAGE_OBJECT_RELATION_LIMIT) return item;
    return { ...item, plain_text: kind === "page" ? "Untitled" : "@Anonymous" };
  });
}

/**
 * The `{type, [type]: value}` body of one property value. With `truncate`, relations and people stop at
 * 25 items (relations then say `has_more: true`), mentions past 25 are unresolved, and rollups see only
 * those 25 relations, as in real page objects. The model keeps values in response form (rich text, dates,
 * colors), so the casts below only narrow its open string fields to the SDK's unions.
 */
export function valueBody(ws: Workspace, ds: DataSourceRecord, page: PageRecord, prop: PropertySchema, truncate: boolean): ValueBody & { has_more?: boolean } {
  const raw = page.values[prop.id];
  switch (prop.type) {
    case "title":
      return { type: "title", title: richText(truncate ? capMentions(richTextOf(raw)) : richTextOf(raw)) };
    case "rich_text":
      return { type: "rich_text", rich_text: richText(truncate ? capMentions(richTextOf(raw)) : richTextOf(raw)) };
    case "number":
      return { type: "number", number: numberOf(raw) };
    case "checkbox":
      return { type: "checkbox", checkbox: boolOf(raw) };
    case "url":
      return { type: "url", url: stringOf(raw) };
    case "email":
      return { type: "email", email: stringOf(raw) };
    case "phone_number":
      return { type: "phone_number", phone_number: stringOf(raw) };
    case "select":
      return { type: "select", select: option(findOption(prop, stringOf(raw))) };
    case "status":
      return { type: "status", status: option(findOption(prop, stringOf(raw))) };
    case "multi_select":
      return { type: "multi_select", multi_select: idsOf(raw).flatMap((id) => option(findOption(prop, id)) ?? []) };
    case "date": {
      const d = dateOf(raw);
      return { type: "date", date: d ? { start: d.start, end: d.end, time_zone: d.time_zone } : null };
    }
    case "people": {
      const ids = idsOf(raw);
      return { type: "people", people: (truncate ? ids.slice(0, PAGE_OBJECT_RELATION_LIMIT) : ids).map((id) => renderUserRef(ws, id)) };
    }
    case "files":
      return { type: "files", files: filesOf(raw).map((f) => renderFile(ws, f)) };
    case "relation": {
      const ids = idsOf(raw);
      const shown = truncate ? ids.slice(0, PAGE_OBJECT_RELATION_LIMIT) : ids;
      return { type: "relation", relation: shown.map((id) => ({ id })), has_more: shown.length < ids.length };
    }
    case "formula":
      return { type: "formula", formula: evaluateFormula(ds, page, prop) as FormulaAnswer };
    case "rollup":
      return { type: "rollup", rollup: computeRollup(ws, ds, page, prop, truncate, (p, d, q) => arrayElement(ws, d, p, q, truncate)) as RollupAnswer };
    case "created_time":
      return { type: "created_time", created_time: iso(page.createdTime) };
    case "last_edited_time":
      return { type: "last_edited_time", last_edited_time: iso(page.lastEditedTime) };
    case "created_by":
      return { type: "created_by", created_by: renderUserRef(ws, page.createdBy) };
    case "last_edited_by":
      return { type: "last_edited_by", last_edited_by: renderUserRef(ws, page.lastEditedBy) };
    case "unique_id":
      return { type: "unique_id", unique_id: { prefix: prop.prefix ?? null, number: numberOf(raw) } };
  }
}

/** Rich text items of the model, which keeps them in response form. */
export function richText(items: RichTextItem[]): RichTextItemResponse[] {
  return items as unknown as RichTextItemResponse[];
}

/** One element of a "show original" rollup array: the related page's value, without id or `has_more`. */
export function arrayElement(ws: Workspace, ds: DataSourceRecord, page: PageRecord, prop: PropertySchema, truncate: boolean): ValueBody {
  const { has_more: _hasMore, ...value } = valueBody(ws, ds, page, prop, truncate);
  return value;
}

/** A page property value: `{id, type, [type]: value}` (+ `has_more` for relations). */
export function propertyValue(
  ws: Workspace,
  ds: DataSourceRecord,
  page: PageRecord,
  prop: PropertySchema,
  truncate: boolean,
): PropertyValueAnswer & { has_more?: boolean } {
  return { id: prop.id, ...valueBody(ws, ds, page, prop, truncate) };
}
