import { computeRollup, LISTED_ROLLUPS, rolledUp } from "../compute/rollups.js";
import type { DataSourceRecord, PageRecord, PropertySchema } from "../model/types.js";
import { idsOf, richTextOf } from "../model/values.js";
import type { Workspace } from "../store/workspace.js";
import { renderUserRef } from "./users.js";
import { arrayElement, richText, valueBody } from "./values.js";
import type { PropertyItemEnvelope, PropertyItemObjectResponse } from "./wire-types.js";

type Item = PropertyItemObjectResponse;
type RollupEnvelope = Extract<PropertyItemEnvelope, { type: "rollup" }>["rollup"];

/** Types the property-item endpoint answers as a paginated list (rollups included). */
export const PAGINATED_TYPES: ReadonlySet<string> = new Set(["title", "rich_text", "people", "relation", "rollup"]);

/**
 * The property items of one property of one page, as `GET /v1/pages/{id}/properties/{property_id}`
 * lists them: one item per element of a list type (a title or rich_text item holds ONE rich-text
 * object, a people item one user, a relation item one `{id}`), one item for any other type. `id` is
 * the id the items carry (the property's own, or the rollup's when flattened into a rollup).
 */
export function propertyItems(ws: Workspace, ds: DataSourceRecord, page: PageRecord, prop: PropertySchema, id: string): Item[] {
  const raw = page.values[prop.id];
  switch (prop.type) {
    case "title":
      return richText(richTextOf(raw)).map((title) => ({ object: "property_item", id, type: "title", title }));
    case "rich_text":
      return richText(richTextOf(raw)).map((text) => ({ object: "property_item", id, type: "rich_text", rich_text: text }));
    case "people":
      return idsOf(raw).map((user) => ({ object: "property_item", id, type: "people", people: renderUserRef(ws, user) }));
    case "relation":
      return idsOf(raw).map((related) => ({ object: "property_item", id, type: "relation", relation: { id: related } }));
    default:
      // Every other value has the same shape as a property item as in a page object.
      return [{ object: "property_item", id, ...valueBody(ws, ds, page, prop, false) } as Item];
  }
}

/** The items of a rollup and its final value (`property_item.rollup`), over every related page. */
export function rollupItems(ws: Workspace, ds: DataSourceRecord, page: PageRecord, prop: PropertySchema): { results: Item[]; rollup: RollupEnvelope } {
  const fn = prop.rollup?.fn ?? "count";
  const rolled = rolledUp(ws, ds, page, prop, false);
  if (rolled && LISTED_ROLLUPS.has(fn)) {
    // "Show original" and the functions the endpoint does not compute: the flattened items of every reference.
    const values = rolled.related.map((r) => ({ page: r, key: JSON.stringify(arrayElement(ws, rolled.targetDs, r, rolled.target, false)) }));
    const seen = new Set<string>();
    const kept = fn === "show_unique" ? values.filter((v) => !seen.has(v.key) && Boolean(seen.add(v.key))) : values;
    return {
      results: kept.flatMap((v) => propertyItems(ws, rolled.targetDs, v.page, rolled.target, prop.id)),
      rollup: { type: "array", array: [], function: fn },
    };
  }
  const render = (p: PageRecord, d: DataSourceRecord, q: PropertySchema) => arrayElement(ws, d, p, q, false);
  const value = computeRollup(ws, ds, page, prop, false, render) as RollupEnvelope;
  const relation = prop.rollup ? ws.propertyById(ds, prop.rollup.relationPropertyId) : undefined;
  const related = relation ? idsOf(page.values[relation.id]) : [];
  return {
    results: related.map((rid): Item => ({ object: "property_item", id: relation?.id ?? prop.id, type: "relation", relation: { id: rid } })),
    rollup: value,
  };
}
