import { evaluateFormula } from "../compute/formulas.js";
import { computeRollup, PAGE_OBJECT_RELATION_LIMIT } from "../compute/rollups.js";
import { iso } from "../core/time.js";
import type { DataSourceRecord, PageRecord, PropertySchema, RichTextItem, SelectOption } from "../model/types.js";
import { boolOf, dateOf, filesOf, idsOf, numberOf, richTextOf, stringOf } from "../model/values.js";
import type { Workspace } from "../store/workspace.js";
import { renderFile } from "./files.js";
import { renderUserRef } from "./users.js";

function option(o: SelectOption): Record<string, unknown> {
  return { id: o.id, name: o.name, color: o.color };
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
 * 25 items (relations then say `has_more: true`) and rollups see only those 25 relations, as in real page objects.
 */
export function valueBody(ws: Workspace, ds: DataSourceRecord, page: PageRecord, prop: PropertySchema, truncate: boolean): Record<string, unknown> {
  const raw = page.values[prop.id];
  const type = prop.type;
  const body = (value: unknown): Record<string, unknown> => ({ type, [type]: value });
  switch (type) {
    case "title":
    case "rich_text":
      return body(truncate ? capMentions(richTextOf(raw)) : richTextOf(raw));
    case "number":
      return body(numberOf(raw));
    case "checkbox":
      return body(boolOf(raw));
    case "url":
    case "email":
    case "phone_number":
      return body(stringOf(raw));
    case "select":
    case "status": {
      const found = findOption(prop, stringOf(raw));
      return body(found ? option(found) : null);
    }
    case "multi_select":
      return body(idsOf(raw).flatMap((id) => {
        const found = findOption(prop, id);
        return found ? [option(found)] : [];
      }));
    case "date": {
      const d = dateOf(raw);
      return body(d ? { start: d.start, end: d.end, time_zone: d.time_zone } : null);
    }
    case "people": {
      const ids = idsOf(raw);
      return body((truncate ? ids.slice(0, PAGE_OBJECT_RELATION_LIMIT) : ids).map((id) => renderUserRef(ws, id)));
    }
    case "files":
      return body(filesOf(raw).map((f) => renderFile(ws, f)));
    case "relation": {
      const ids = idsOf(raw);
      const shown = truncate ? ids.slice(0, PAGE_OBJECT_RELATION_LIMIT) : ids;
      return { type, relation: shown.map((id) => ({ id })), has_more: shown.length < ids.length };
    }
    case "formula":
      return body(evaluateFormula(ds, page, prop));
    case "rollup":
      return body(computeRollup(ws, ds, page, prop, truncate, (p, d, q) => arrayElement(ws, d, p, q, truncate)));
    case "created_time":
      return body(iso(page.createdTime));
    case "last_edited_time":
      return body(iso(page.lastEditedTime));
    case "created_by":
      return body(renderUserRef(ws, page.createdBy));
    case "last_edited_by":
      return body(renderUserRef(ws, page.lastEditedBy));
    case "unique_id":
      return body({ prefix: prop.prefix ?? null, number: numberOf(raw) });
  }
}

/** One element of a "show original" rollup array: the related page's value, without id or `has_more`. */
export function arrayElement(ws: Workspace, ds: DataSourceRecord, page: PageRecord, prop: PropertySchema, truncate: boolean): Record<string, unknown> {
  const { has_more: _hasMore, ...value } = valueBody(ws, ds, page, prop, truncate);
  return value;
}

/** A page property value: `{id, type, [type]: value}` (+ `has_more` for relations). */
export function propertyValue(ws: Workspace, ds: DataSourceRecord, page: PageRecord, prop: PropertySchema, truncate: boolean): Record<string, unknown> {
  return { id: prop.id, ...valueBody(ws, ds, page, prop, truncate) };
}
