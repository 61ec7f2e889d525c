import { createHash } from "node:crypto";

/**
 * Content hashes. A page's version hash must not change when Notion re-signs the URLs of uploaded
 * files (a new query string and `expiry_time` on every read), or every run would store a new bronze
 * version of every page with a file. The hash is taken over the page's JSON text as received, with
 * each signed file object reduced to its URL without the query string. Notion serializes keys in a
 * stable order; should that order ever change, each page gets one new bronze version, nothing worse.
 */
const SIGNED_URL_FIRST = /"url":"([^"?]*)\?[^"]*","expiry_time":"[^"]*"/g;
const EXPIRY_FIRST = /"expiry_time":"[^"]*","url":"([^"?]*)\?[^"]*"/g;

export function pageHash(pageJson: string): string {
  const stable = pageJson.replace(SIGNED_URL_FIRST, '"url":"$1"').replace(EXPIRY_FIRST, '"url":"$1"');
  return createHash("sha256").update(stable).digest("hex");
}

export function valuesHash(parts: readonly unknown[]): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}
