import { invalidBody } from "../errors.js";
import { bodyObject, type Route } from "../http/router.js";
import type { DataSourceRecord, PageRecord } from "../model/types.js";
import { textOf } from "../model/values.js";
import { decodeOffsetCursor, encodeOffsetCursor, fingerprint } from "../query/cursor.js";
import { renderPage } from "../render/page.js";
import { renderDataSource } from "../render/schema.js";
import type { SearchResponse } from "../render/wire-types.js";

type Hit = { kind: "data_source"; ds: DataSourceRecord; edited: number; id: string } | { kind: "page"; page: PageRecord; edited: number; id: string };

function pageSize(raw: unknown): number {
  if (raw === undefined) return 100;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 1 || raw > 100) {
    throw invalidBody("body.page_size", `should be an integer between 1 and 100, instead was \`${JSON.stringify(raw)}\`.`);
  }
  return raw;
}

/**
 * `POST /v1/search`: data sources and pages whose title contains `query` (case-insensitive),
 * filtered by `{property:"object", value}` and `in_trash`, sorted by last_edited_time (default: newest first).
 */
export const searchRoutes: Route[] = [
  {
    method: "POST",
    pattern: /^\/v1\/search$/,
    handler: ({ ws, body: rawBody, version }): SearchResponse => {
      const body = bodyObject(rawBody, ["query", "sort", "filter", "start_cursor", "page_size"]);
      const text = typeof body["query"] === "string" ? body["query"].toLowerCase() : "";
      const filter = (body["filter"] ?? {}) as Record<string, unknown>;
      const only = filter["value"];
      if (only !== undefined && only !== "page" && only !== "data_source") {
        throw invalidBody("body.filter.value", `should be \`page\` or \`data_source\`, instead was \`${JSON.stringify(only)}\`.`);
      }
      const inTrash = filter["in_trash"] === true;
      const sort = (body["sort"] ?? {}) as Record<string, unknown>;
      const ascending = sort["direction"] === "ascending";
      const hits: Hit[] = [];
      for (const ds of ws.dataSources.values()) {
        if (only !== "page" && !inTrash && ds.title.toLowerCase().includes(text)) hits.push({ kind: "data_source", ds, edited: ds.lastEditedTime, id: ds.id });
        if (only === "data_source") continue;
        const titleId = ws.titleProperty(ds).id;
        for (const page of ds.pages) {
          if (page.inTrash !== inTrash) continue;
          if (text && !textOf(page.values[titleId]).toLowerCase().includes(text)) continue;
          hits.push({ kind: "page", page, edited: page.lastEditedTime, id: page.id });
        }
      }
      hits.sort((a, b) => (a.edited - b.edited) * (ascending ? 1 : -1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const list = fingerprint(["search", text, only ?? null, inTrash, ascending]);
      const size = pageSize(body["page_size"]);
      const cursor = body["start_cursor"];
      const start = typeof cursor === "string" ? decodeOffsetCursor(list, cursor) : 0;
      const slice = hits.slice(start, start + size);
      const more = start + size < hits.length;
      return {
        object: "list",
        // Under 2026-03-11 objects have no `archived`, which the SDK's type (of 2025-09-03) still requires.
        results: slice.map((h) => (h.kind === "page" ? renderPage(ws, h.page, { version, truncate: true }) : renderDataSource(ws, h.ds, version))),
        next_cursor: more ? encodeOffsetCursor(list, start + size) : null,
        has_more: more,
        type: "page_or_data_source",
        page_or_data_source: {},
      };
    },
  },
];
