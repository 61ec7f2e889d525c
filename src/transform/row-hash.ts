import { createHash } from "node:crypto";

/**
 * Content hashes. A page's version hash must not change when Notion re-signs the URLs of uploaded
 * files (new query string and `expiry_time` on every read), or every run would store a new bronze
 * version of every page with a file. Keys are sorted so that key order never matters.
 */
export function pageHash(page: unknown): string {
  return createHash("sha256").update(stableJson(page, true)).digest("hex");
}

export function valuesHash(parts: readonly unknown[]): string {
  return createHash("sha256").update(stableJson(parts, false)).digest("hex");
}

function stableJson(value: unknown, stripVolatile: boolean): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => stableJson(item, stripVolatile)).join(",")}]`;
  const record = value as Record<string, unknown>;
  const signedFile = stripVolatile && "expiry_time" in record && typeof record.url === "string";
  const keys = Object.keys(record).sort();
  let out = "{";
  for (const key of keys) {
    if (signedFile && key === "expiry_time") continue;
    const item = signedFile && key === "url" ? unsignedUrl(record.url as string) : record[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ",";
    out += `${JSON.stringify(key)}:${stableJson(item, stripVolatile)}`;
  }
  return `${out}}`;
}

/** The file's identity without its signature: scheme, host and path. */
function unsignedUrl(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}
