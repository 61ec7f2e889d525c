import { normalizeId } from "../core/ids.js";
import { invalid, SandboxApiError } from "../errors.js";
import type { DataSourceRecord } from "../model/types.js";
import type { ApiVersion } from "../render/page.js";
import type { Workspace } from "../store/workspace.js";

/** One authenticated API request, ready for a route handler. */
export interface ApiRequest {
  method: string;
  /** Path params, still percent-encoded as received. */
  params: string[];
  query: URLSearchParams;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
  version: ApiVersion;
  ws: Workspace;
  /** e.g. `http://127.0.0.1:43123` (for `next_url`). */
  baseUrl: string;
  resultLimit: number;
}

/** A handler returns the JSON body of a 200, or throws a SandboxApiError. */
export type Handler = (req: ApiRequest) => unknown;

export interface Route {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  pattern: RegExp;
  handler: Handler;
}

/** Finds and runs the route for `method path`; unknown paths are 400 invalid_request_url as on Notion. */
export function dispatch(routes: readonly Route[], path: string, req: Omit<ApiRequest, "params">): unknown {
  let pathKnown = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathKnown = true;
    if (route.method !== req.method) continue;
    return route.handler({ ...req, params: m.slice(1) });
  }
  if (pathKnown) throw new SandboxApiError(400, "invalid_request", `Unsupported request: ${req.method} ${path}.`);
  throw new SandboxApiError(400, "invalid_request_url", "Invalid request URL.");
}

/** A path id (dashed or not) in canonical form, else 400 "path failed validation". */
export function pathId(raw: string | undefined, name: string): string {
  const id = normalizeId(raw ?? "");
  if (!id) throw invalid(`path failed validation: path.${name} should be a valid uuid, instead was \`"${raw ?? ""}"\`.`);
  return id;
}

/** Body as an object (missing body = `{}`), rejecting keys outside `allowed`. */
export function bodyObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) throw invalid("body failed validation: body should be an object.");
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      throw invalid(`body failed validation: body.${key} should be not present, instead was \`${JSON.stringify((body as Record<string, unknown>)[key])}\`.`);
  }
  return body as Record<string, unknown>;
}

/** `filter_properties` (repeated, with or without `[]`, ids or names) as a set of property ids. */
export function filterProperties(ws: Workspace, ds: DataSourceRecord, query: URLSearchParams): Set<string> | undefined {
  const refs = [...query.getAll("filter_properties"), ...query.getAll("filter_properties[]")];
  if (refs.length === 0) return undefined;
  return new Set(
    refs.map((ref) => {
      const prop = ws.property(ds, ref);
      if (!prop) throw invalid(`Could not find property with name or id: ${ref}`);
      return prop.id;
    }),
  );
}

/** `page_size` from a query string (1..100, default 100). */
export function queryPageSize(query: URLSearchParams): number {
  const raw = query.get("page_size");
  if (raw === null) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) {
    throw invalid(`query failed validation: query.page_size should be an integer between 1 and 100, instead was \`${raw}\`.`);
  }
  return n;
}
