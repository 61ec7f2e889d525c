import { SandboxApiError, notFound } from "../errors.js";
import { computeRollup } from "../compute/rollups.js";
import { pathId, queryPageSize, type ApiRequest, type Route } from "../http/router.js";
import type { DataSourceRecord, PageRecord, PropertySchema } from "../model/types.js";
import { idsOf, richTextOf } from "../model/values.js";
import { decodeOffsetCursor, encodeOffsetCursor } from "../query/cursor.js";
import { renderUserRef } from "../render/users.js";
import { valueBody } from "../render/values.js";

type Json = Record<string, unknown>;

/** The full list of items of a paginated property, and the `property_item` envelope value. */
function items(req: ApiRequest, ds: DataSourceRecord, page: PageRecord, prop: PropertySchema): { results: Json[]; envelope: unknown } {
  const item = (type: string, value: unknown): Json => ({ object: "property_item", id: prop.id, type, [type]: value });
  const raw = page.values[prop.id];
  switch (prop.type) {
    case "title":
    case "rich_text":
      return { results: richTextOf(raw).map((rt) => item(prop.type, rt)), envelope: {} };
    case "people":
      return { results: idsOf(raw).map((id) => item("people", renderUserRef(req.ws, id))), envelope: {} };
    case "relation":
      return { results: idsOf(raw).map((id) => item("relation", { id })), envelope: {} };
    default: {
      const render = (p: PageRecord, d: DataSourceRecord, q: PropertySchema) => valueBody(req.ws, d, p, q, false);
      const rollup = computeRollup(req.ws, ds, page, prop, false, render);
      if (rollup.type === "array") return { results: rollup.array.map((v) => ({ object: "property_item", id: prop.id, ...(v as Json) })), envelope: rollup };
      const relation = prop.rollup ? req.ws.propertyById(ds, prop.rollup.relationPropertyId) : undefined;
      const related = relation ? idsOf(page.values[relation.id]) : [];
      return { results: related.map((id) => ({ object: "property_item", id: relation?.id ?? prop.id, type: "relation", relation: { id } })), envelope: rollup };
    }
  }
}

const PAGINATED = new Set(["title", "rich_text", "people", "relation", "rollup"]);

/**
 * `GET /v1/pages/{id}/properties/{property_id}`: complete values. title/rich_text/people/relation/rollup answer
 * a paginated `property_item` list (rollups carry the aggregate over ALL relations); other types one property_item.
 */
export const propertyRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/v1\/pages\/([^/]+)\/properties\/([^/]+)$/,
    handler: (req) => {
      const id = pathId(req.params[0], "page_id");
      const page = req.ws.pages.get(id);
      if (!page) throw notFound("page", id);
      const ds = req.ws.dataSourceOf(page);
      const ref = req.params[1] ?? "";
      const prop = req.ws.property(ds, ref);
      if (!prop) throw new SandboxApiError(404, "object_not_found", `Could not find property with ID: ${ref}.`);
      if (!PAGINATED.has(prop.type)) return { object: "property_item", id: prop.id, ...valueBody(req.ws, ds, page, prop, false) };
      const size = queryPageSize(req.query);
      const list = `${page.id}/${prop.id}`;
      const raw = req.query.get("start_cursor");
      const start = raw ? decodeOffsetCursor(list, raw) : 0;
      const all = items(req, ds, page, prop);
      const more = start + size < all.results.length;
      const next = more ? encodeOffsetCursor(list, start + size) : null;
      return {
        object: "list",
        results: all.results.slice(start, start + size),
        next_cursor: next,
        has_more: more,
        type: "property_item",
        property_item: {
          id: prop.id,
          next_url: next ? `${req.baseUrl}/v1/pages/${page.id}/properties/${prop.id}?start_cursor=${next}` : null,
          type: prop.type,
          [prop.type]: all.envelope,
        },
      };
    },
  },
];
