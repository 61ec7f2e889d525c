import { invalidBody } from "../errors.js";
import type { DataSourceRecord, PageRecord } from "../model/types.js";
import type { ApiVersion } from "../render/page.js";
import type { Workspace } from "../store/workspace.js";
import { decodeQueryCursor, encodeQueryCursor, fingerprint, type QueryCursor } from "./cursor.js";
import { compileFilter } from "./filter.js";
import { compareRows, compileSorts, type SortValue } from "./sort.js";

const BODY_KEYS = ["filter", "sorts", "start_cursor", "page_size", "in_trash", "archived", "result_type"];

export interface QueryRequest {
  ws: Workspace;
  ds: DataSourceRecord;
  body: unknown;
  version: ApiVersion;
  resultLimit: number;
}

export interface QueryOutcome {
  pages: PageRecord[];
  nextCursor: string | null;
  hasMore: boolean;
  /** The per-query result limit was reached: the caller must start a narrower query. */
  incomplete: boolean;
}

interface Row {
  page: PageRecord;
  keys: SortValue[];
}

function pageSizeOf(raw: unknown): number {
  if (raw === undefined) return 100;
  if (typeof raw !== "number" || !Number.isInteger(raw)) throw invalidBody("body.page_size", `should be an integer, instead was \`${JSON.stringify(raw)}\`.`);
  if (raw < 1) throw invalidBody("body.page_size", `should be ≥ \`1\`, instead was \`${raw}\`.`);
  if (raw > 100) throw invalidBody("body.page_size", `should be ≤ \`100\`, instead was \`${raw}\`.`);
  return raw;
}

/**
 * Runs one page of a data source query over the live data. The cursor carries the last row's sort keys and
 * id (not an offset), so edits between pages move rows instead of breaking pagination, and it counts the rows
 * served: once a query (filter + sorts) has served `resultLimit` rows it stops with `incomplete`.
 */
export function runQuery(req: QueryRequest): QueryOutcome {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body !== "object" || Array.isArray(body)) throw invalidBody("body", "should be an object.");
  for (const key of Object.keys(body)) {
    const banned = req.version === "2026-03-11" && (key === "in_trash" || key === "archived");
    if (!BODY_KEYS.includes(key) || banned) throw invalidBody(`body.${key}`, "should be not present.");
  }
  const trashRaw = body["in_trash"] ?? body["archived"];
  if (trashRaw !== undefined && typeof trashRaw !== "boolean") throw invalidBody("body.in_trash", "should be a boolean.");
  const inTrash = trashRaw === true;
  const pageSize = pageSizeOf(body["page_size"]);
  const resultType = body["result_type"];
  if (resultType !== undefined && resultType !== "page" && resultType !== "data_source") {
    throw invalidBody("body.result_type", "should be `page` or `data_source`.");
  }
  const ctx = { ws: req.ws, ds: req.ds, now: req.ws.now() };
  const predicate = compileFilter(ctx, body["filter"]);
  const sort = compileSorts(ctx, body["sorts"]);
  const query = fingerprint([req.ds.id, body["filter"] ?? null, body["sorts"] ?? null, inTrash, resultType ?? null]);
  const rawCursor = body["start_cursor"];
  if (rawCursor !== undefined && rawCursor !== null && typeof rawCursor !== "string") throw invalidBody("body.start_cursor", "should be a string.");
  const after: QueryCursor | undefined = typeof rawCursor === "string" ? decodeQueryCursor(query, rawCursor) : undefined;
  const served = after?.served ?? 0;
  const take = Math.min(pageSize, Math.max(0, req.resultLimit - served));
  if (resultType === "data_source" || take === 0) {
    return { pages: [], nextCursor: null, hasMore: false, incomplete: take === 0 };
  }
  const cmp = (a: Row, b: Row) => compareRows(sort.directions, a.keys, a.page.id, b.keys, b.page.id);
  const best: Row[] = [];
  for (const page of req.ds.pages) {
    if (page.inTrash !== inTrash || !predicate(page)) continue;
    const row: Row = { page, keys: sort.extract.map((f) => f(page)) };
    if (after && compareRows(sort.directions, row.keys, page.id, after.keys, after.id) <= 0) continue;
    insertBounded(best, row, take + 1, cmp);
  }
  const more = best.length > take;
  const rows = best.slice(0, take);
  const total = served + rows.length;
  const last = rows[rows.length - 1];
  if (!more || !last) return { pages: rows.map((r) => r.page), nextCursor: null, hasMore: false, incomplete: false };
  if (total >= req.resultLimit) return { pages: rows.map((r) => r.page), nextCursor: null, hasMore: false, incomplete: true };
  const nextCursor = encodeQueryCursor(query, { keys: last.keys, id: last.page.id, served: total });
  return { pages: rows.map((r) => r.page), nextCursor, hasMore: true, incomplete: false };
}

/** Keeps `rows` sorted and at most `limit` long (a bounded insertion: O(n log k) over a scan). */
function insertBounded(rows: Row[], row: Row, limit: number, cmp: (a: Row, b: Row) => number): void {
  const tail = rows[rows.length - 1];
  if (rows.length >= limit && tail && cmp(row, tail) >= 0) return;
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const probe = rows[mid];
    if (probe && cmp(probe, row) < 0) lo = mid + 1;
    else hi = mid;
  }
  rows.splice(lo, 0, row);
  if (rows.length > limit) rows.pop();
}
