import { createHash } from "node:crypto";
import { invalid } from "../errors.js";
import type { SortValue } from "./sort.js";

/** Where a query page ended: the last row's sort keys and id, and how many rows the query has served. */
export interface QueryCursor {
  keys: SortValue[];
  id: string;
  served: number;
}

/** A short fingerprint binding a cursor to one query (data source + filter + sorts + trash mode …). */
export function fingerprint(parts: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(parts) ?? "")
    .digest("base64url")
    .slice(0, 12);
}

function encode(payload: unknown): string {
  return Buffer.from(JSON.stringify(payload)).toString("base64url");
}

function decode(raw: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  try {
    return JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function badCursor(raw: string): Error {
  return invalid(`The start_cursor provided is invalid: ${raw}`);
}

export function encodeQueryCursor(query: string, cursor: QueryCursor): string {
  return encode({ q: query, k: cursor.keys, i: cursor.id, n: cursor.served });
}

/** Decodes a query cursor; a malformed cursor or one from another query is a 400. */
export function decodeQueryCursor(query: string, raw: string): QueryCursor {
  const v = decode(raw) as { q?: unknown; k?: unknown; i?: unknown; n?: unknown } | undefined;
  const keysOk = Array.isArray(v?.k) && v.k.every((k) => k === null || typeof k === "number" || typeof k === "string");
  if (!v || v.q !== query || !keysOk || typeof v.i !== "string" || typeof v.n !== "number") throw badCursor(raw);
  return { keys: v.k as SortValue[], id: v.i, served: v.n };
}

/** Offset cursors for small lists (users, search, property items). */
export function encodeOffsetCursor(list: string, offset: number): string {
  return encode({ l: list, o: offset });
}

export function decodeOffsetCursor(list: string, raw: string): number {
  const v = decode(raw) as { l?: unknown; o?: unknown } | undefined;
  if (!v || v.l !== list || typeof v.o !== "number" || !Number.isInteger(v.o) || v.o < 0) throw badCursor(raw);
  return v.o;
}
