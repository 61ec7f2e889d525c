import { invalid, invalidBody, notFound } from "../errors.js";
import { bodyObject, filterProperties, pathId, type ApiRequest, type Route } from "../http/router.js";
import type { DataSourceRecord, PageRecord } from "../model/types.js";
import { renderPage } from "../render/page.js";
import { createPage, updatePage } from "../store/page-ops.js";

const CREATE_KEYS = ["parent", "properties", "icon", "cover", "content", "children", "markdown", "allow_async", "template", "position"];
const UPDATE_KEYS = ["properties", "icon", "cover", "is_locked", "template", "erase_content", "in_trash", "archived", "is_archived"];

function respond(req: ApiRequest, page: PageRecord): unknown {
  const only = filterProperties(req.ws, req.ws.dataSourceOf(page), req.query);
  return renderPage(req.ws, page, { version: req.version, truncate: true, ...(only ? { only } : {}) });
}

/** The data source a create targets: `{data_source_id}` (2025-09-03) or a single-source `{database_id}`. */
function parentOf(req: ApiRequest, raw: unknown): DataSourceRecord {
  const parent = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof parent["data_source_id"] === "string") {
    const id = pathId(parent["data_source_id"], "data_source_id");
    const ds = req.ws.dataSources.get(id);
    if (!ds) throw notFound("data_source", id);
    return ds;
  }
  if (typeof parent["database_id"] === "string") {
    const id = pathId(parent["database_id"], "database_id");
    const ds = req.ws.databases.get(id);
    if (!ds) throw notFound("database", id);
    return ds;
  }
  if (raw === undefined) throw invalidBody("body.parent", "should be defined, instead was `undefined`.");
  throw invalidBody("body.parent", "should be a data source (`data_source_id`) in the sandbox.");
}

function trashFlag(req: ApiRequest, body: Record<string, unknown>): boolean | undefined {
  if (body["archived"] !== undefined && req.version === "2026-03-11") throw invalidBody("body.archived", "should be not present.");
  const flag = body["in_trash"] ?? body["archived"];
  if (flag !== undefined && typeof flag !== "boolean") throw invalidBody("body.in_trash", "should be a boolean.");
  return flag;
}

/** Pages: create, retrieve, update / trash / restore. Writes are made by the integration's bot user. */
export const pageRoutes: Route[] = [
  {
    method: "POST",
    pattern: /^\/v1\/pages$/,
    handler: (req) => {
      const body = bodyObject(req.body, CREATE_KEYS);
      const ds = parentOf(req, body["parent"]);
      const page = createPage(req.ws, ds.id, { properties: body["properties"], icon: body["icon"], cover: body["cover"] }, req.ws.bot.id);
      return respond(req, page);
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/pages\/([^/]+)$/,
    handler: (req) => {
      const id = pathId(req.params[0], "page_id");
      const page = req.ws.pages.get(id);
      if (!page) throw notFound("page", id);
      return respond(req, page);
    },
  },
  {
    method: "PATCH",
    pattern: /^\/v1\/pages\/([^/]+)$/,
    handler: (req) => {
      const id = pathId(req.params[0], "page_id");
      if (!req.ws.pages.has(id)) throw notFound("page", id);
      const body = bodyObject(req.body, UPDATE_KEYS);
      if (body["is_locked"] !== undefined && typeof body["is_locked"] !== "boolean")
        throw invalid("body failed validation: body.is_locked should be a boolean.");
      const inTrash = trashFlag(req, body);
      const page = updatePage(
        req.ws,
        id,
        {
          properties: body["properties"],
          ...(inTrash === undefined ? {} : { inTrash }),
          ...(body["icon"] === undefined ? {} : { icon: body["icon"] }),
          ...(body["cover"] === undefined ? {} : { cover: body["cover"] }),
        },
        req.ws.bot.id,
      );
      return respond(req, page);
    },
  },
];
