import { notFound } from "../errors.js";
import { bodyObject, filterProperties, pathId, type ApiRequest, type Route } from "../http/router.js";
import type { DataSourceRecord } from "../model/types.js";
import { runQuery } from "../query/run.js";
import { renderPage } from "../render/page.js";
import { renderDatabase, renderDataSource } from "../render/schema.js";
import { updateDataSource } from "../store/schema-edit.js";
import type { QueryDataSourceResponse } from "../render/wire-types.js";

function dataSourceOf(req: ApiRequest): DataSourceRecord {
  const id = pathId(req.params[0], "data_source_id");
  const ds = req.ws.dataSources.get(id);
  if (!ds) throw notFound("data_source", id);
  return ds;
}

function databaseOf(req: ApiRequest): DataSourceRecord {
  const id = pathId(req.params[0], "database_id");
  const ds = req.ws.databases.get(id);
  if (!ds) throw notFound("database", id);
  return ds;
}

/** One page of query results in the list envelope (`page_or_data_source`, or `page_or_database` for the legacy route). */
function query(req: ApiRequest, ds: DataSourceRecord, listType: "page_or_data_source" | "page_or_database"): QueryDataSourceResponse | LegacyQueryAnswer {
  const only = filterProperties(req.ws, ds, req.query);
  const out = runQuery({ ws: req.ws, ds, body: req.body, version: req.version, resultLimit: req.resultLimit });
  const version = listType === "page_or_database" && req.version !== "2026-03-11" ? "2022-06-28" : req.version;
  // Under 2026-03-11 pages have no `archived`, which the SDK's type (of 2025-09-03) still requires.
  const results = out.pages.map((p) => renderPage(req.ws, p, { version, truncate: true, ...(only ? { only } : {}) })) as QueryDataSourceResponse["results"];
  const status = out.incomplete ? { request_status: { type: "incomplete" as const, incomplete_reason: "query_result_limit_reached" as const } } : {};
  const list = { object: "list" as const, results, next_cursor: out.nextCursor, has_more: out.hasMore, ...status };
  return listType === "page_or_data_source" ? { ...list, type: listType, page_or_data_source: {} } : { ...list, type: listType, page_or_database: {} };
}

/** The legacy `POST /v1/databases/{id}/query` list (API 2022-06-28), which SDK v5 no longer types. */
type LegacyQueryAnswer = Omit<QueryDataSourceResponse, "type" | "page_or_data_source"> & { type: "page_or_database"; page_or_database: Record<string, never> };

/** Databases (containers) and data sources: retrieve, schema update, query (and the legacy database query). */
export const dataSourceRoutes: Route[] = [
  { method: "GET", pattern: /^\/v1\/databases\/([^/]+)$/, handler: (req) => renderDatabase(databaseOf(req), req.version) },
  { method: "POST", pattern: /^\/v1\/databases\/([^/]+)\/query$/, handler: (req) => query(req, databaseOf(req), "page_or_database") },
  { method: "GET", pattern: /^\/v1\/data_sources\/([^/]+)$/, handler: (req) => renderDataSource(req.ws, dataSourceOf(req), req.version) },
  {
    method: "PATCH",
    pattern: /^\/v1\/data_sources\/([^/]+)$/,
    handler: (req) => {
      const ds = dataSourceOf(req);
      const body = bodyObject(req.body, ["title", "properties", "in_trash", "archived", "icon", "parent"]);
      updateDataSource(req.ws, ds, body);
      return renderDataSource(req.ws, ds, req.version);
    },
  },
  { method: "POST", pattern: /^\/v1\/data_sources\/([^/]+)\/query$/, handler: (req) => query(req, dataSourceOf(req), "page_or_data_source") },
  {
    method: "GET",
    pattern: /^\/v1\/data_sources\/([^/]+)\/templates$/,
    handler: (req) => {
      dataSourceOf(req);
      return { object: "list", templates: [], has_more: false, next_cursor: null };
    },
  },
];
