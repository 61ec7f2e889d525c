import { z } from "zod";
import { SyncError } from "../errors.js";
import { NotionError } from "./notion-errors.js";
import type { NotionPage } from "../transform/types.js";

/**
 * The envelope of a page object that the engine depends on, checked where Notion's data enters.
 * Unknown keys and property types pass through untouched (bronze keeps the page as Notion sent it).
 */
const propertyValue = z.looseObject({ id: z.string(), type: z.string() });
const pageSchema = z.looseObject({
  object: z.literal("page"),
  id: z.string().min(1),
  created_time: z.string().min(1),
  last_edited_time: z.string().min(1),
  url: z.string(),
  in_trash: z.boolean().optional(),
  archived: z.boolean().optional(),
  properties: z.record(z.string(), propertyValue),
});

/**
 * True for page objects; query results of a wiki may also hold data sources, which are skipped. Every
 * page object goes through `checkPage`, which fails a partial or malformed one: skipping it would lose
 * its edit, and a full pass would then have the reconcile mark a live page deleted.
 */
export function isPage(result: unknown): boolean {
  return (result as { object?: unknown } | null)?.object === "page";
}

/**
 * A list answer (query, property items, users) must hold a `results` array: anything else is a
 * malformed answer (a proxy, a changed API), and reading it as an empty list would silently drop
 * data. It fails the request, not retried (a well-formed answer that says something else will say it
 * again); the message keeps the answer's content out, since it is page data.
 */
export function checkList<T>(response: T, what: string): T {
  const results = (response as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) {
    const got = results === undefined ? "no results" : `results of type ${typeof results}`;
    throw new NotionError("notion_bad_response", `${what}: Notion's answer has no results list (${got}; a proxy, or a changed API?)`, { transient: false });
  }
  return response;
}

export function checkPage(result: unknown, databaseKey: string): NotionPage {
  const parsed = pageSchema.safeParse(result);
  if (parsed.success) return result as NotionPage;
  const id = (result as { id?: unknown } | null)?.id;
  const r = result as { url?: unknown; properties?: unknown; last_edited_time?: unknown };
  if (r.url === undefined && r.properties === undefined && r.last_edited_time === undefined) {
    throw new SyncError("notion_bad_response", `page ${String(id)} of "${databaseKey}" came back as a partial page object (its id only): the database is not synced this time, so nothing is lost or marked deleted; if it repeats, report it`, {
      context: { databaseKey },
    });
  }
  const problem = parsed.error.issues[0];
  throw new SyncError("notion_bad_response", `page ${String(id)} of "${databaseKey}" is malformed: ${problem?.path.join(".") ?? "?"}: ${problem?.message ?? "invalid"}`, {
    context: { databaseKey },
  });
}
