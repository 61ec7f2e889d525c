import { z } from "zod";
import { SyncError } from "../errors.js";
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
 * True for full page objects; query results may also hold partial pages (`{object, id}`) or (wikis)
 * data sources. A page with properties is a full page even when a field is missing: `checkPage`
 * fails it, where skipping it would lose the page (and a full pass would mark it deleted).
 */
export function isFullPage(result: unknown): boolean {
  const r = result as { object?: unknown; url?: unknown; properties?: unknown } | null;
  return r?.object === "page" && (typeof r.url === "string" || r.properties !== undefined);
}

/** A list answer must hold a `results` array; anything else is a malformed answer (a proxy, a truncation). */
export function checkList<T>(response: T): T {
  if (!Array.isArray((response as { results?: unknown } | null)?.results)) {
    const text = JSON.stringify(response) ?? String(response);
    throw new Error(`Notion's answer has no results list (got ${text.length > 200 ? `${text.slice(0, 200)}…` : text})`);
  }
  return response;
}

export function checkPage(result: unknown, databaseKey: string): NotionPage {
  const parsed = pageSchema.safeParse(result);
  if (parsed.success) return result as NotionPage;
  const id = (result as { id?: unknown } | null)?.id;
  const problem = parsed.error.issues[0];
  throw new SyncError("notion_bad_response", `page ${String(id)} of "${databaseKey}" is malformed: ${problem?.path.join(".") ?? "?"}: ${problem?.message ?? "invalid"}`, {
    context: { databaseKey },
  });
}
