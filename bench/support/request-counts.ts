import type { RequestLogEntry } from "../../src/sandbox/index.js";

/** Requests the sandbox served during one sync, by kind (every HTTP attempt counts, 429s included). */
export interface RequestCounts {
  total: number;
  queries: number;
  propertyItems: number;
  schema: number;
  users: number;
  rateLimited: number;
}

/** Counted in the sandbox process, from its own log: measured where the requests arrive. */
export function countRequests(log: readonly RequestLogEntry[]): RequestCounts {
  const counts: RequestCounts = { total: log.length, queries: 0, propertyItems: 0, schema: 0, users: 0, rateLimited: 0 };
  for (const entry of log) {
    if (entry.status === 429) counts.rateLimited += 1;
    if (entry.path.endsWith("/query")) counts.queries += 1;
    else if (/\/properties\//.test(entry.path)) counts.propertyItems += 1;
    else if (entry.path.startsWith("/v1/users")) counts.users += 1;
    else if (/^\/v1\/(databases|data_sources)\//.test(entry.path)) counts.schema += 1;
  }
  return counts;
}
