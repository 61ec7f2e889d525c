import { SandboxApiError, notFound } from "../errors.js";
import { pathId, queryPageSize, type Route } from "../http/router.js";
import { decodeOffsetCursor, encodeOffsetCursor } from "../query/cursor.js";
import { PAGINATED_TYPES, propertyItems, rollupItems } from "../render/property-items.js";
import { valueBody } from "../render/values.js";
import type { PropertyItemEnvelope, PropertyItemListResponse, PropertyItemObjectResponse } from "../render/wire-types.js";

/**
 * `GET /v1/pages/{id}/properties/{property_id}`: complete values. title/rich_text/people/relation answer a
 * paginated list of `property_item`s, one element each. Rollups answer a list too: a computed rollup's
 * value is in `property_item.rollup` of the last answer (earlier answers say `incomplete`), with the
 * relation's items as results; "show original" (and show_unique, median, unique, which the endpoint
 * does not compute) answer the flattened items of every reference and an empty array. Other types
 * answer one property_item.
 */
export const propertyRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/v1\/pages\/([^/]+)\/properties\/([^/]+)$/,
    handler: (req): PropertyItemObjectResponse | PropertyItemListResponse => {
      const id = pathId(req.params[0], "page_id");
      const page = req.ws.pages.get(id);
      if (!page) throw notFound("page", id);
      const ds = req.ws.dataSourceOf(page);
      const ref = req.params[1] ?? "";
      const prop = req.ws.property(ds, ref);
      if (!prop) throw new SandboxApiError(404, "object_not_found", `Could not find property with ID: ${ref}.`);
      // Simple types: one item, the page-object value with its id.
      if (!PAGINATED_TYPES.has(prop.type))
        return { object: "property_item", id: prop.id, ...valueBody(req.ws, ds, page, prop, false) } as PropertyItemObjectResponse;
      const size = queryPageSize(req.query);
      const list = `${page.id}/${prop.id}`;
      const raw = req.query.get("start_cursor");
      const start = raw ? decodeOffsetCursor(list, raw) : 0;
      const all = prop.type === "rollup" ? rollupItems(req.ws, ds, page, prop) : { results: propertyItems(req.ws, ds, page, prop, prop.id), rollup: undefined };
      const more = start + size < all.results.length;
      const next = more ? encodeOffsetCursor(list, start + size) : null;
      const nextUrl = next ? `${req.baseUrl}/v1/pages/${page.id}/properties/${prop.id}?start_cursor=${next}` : null;
      const rollup =
        all.rollup && more && all.rollup.type !== "array" ? { type: "incomplete" as const, incomplete: {}, function: all.rollup.function } : all.rollup;
      const envelope = (
        rollup ? { id: prop.id, next_url: nextUrl, type: "rollup", rollup } : { id: prop.id, next_url: nextUrl, type: prop.type, [prop.type]: {} }
      ) as PropertyItemEnvelope;
      return {
        object: "list",
        results: all.results.slice(start, start + size),
        next_cursor: next,
        has_more: more,
        type: "property_item",
        property_item: envelope,
      };
    },
  },
];
