import { z } from "zod";
import { SyncError } from "../errors.js";
import { NotionError } from "./notion-errors.js";
import type { NotionPage } from "./types.js";

/*
 * The envelope of a page object that the engine depends on, checked where Notion's data enters.
 * Unknown keys and property types pass through untouched (bronze keeps the page as Notion sent it).
 */

/** Notion's ids as the API returns them (and as silver stores them): lower-case UUIDs with dashes. */
export const NOTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const notionId = z.string().regex(NOTION_ID, "is not a lower-case UUID");
const reference = z.looseObject({ id: notionId });

const propertyValue = z.looseObject({ id: z.string(), type: z.string() });
/** The ids inside values that silver stores: related pages and people. */
const referenceValues: Record<string, z.ZodType> = {
  relation: z.looseObject({ relation: z.array(reference) }),
  people: z.looseObject({ people: z.array(reference) }),
  created_by: z.looseObject({ created_by: reference }),
  last_edited_by: z.looseObject({ last_edited_by: reference }),
};
const pageSchema = z.looseObject({
  object: z.literal("page"),
  id: notionId,
  created_time: z.iso.datetime({ offset: true }),
  last_edited_time: z.iso.datetime({ offset: true }),
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

export function checkPage(result: unknown, databaseKey: string): NotionPage {
  const parsed = pageSchema.safeParse(result);
  const id = (result as { id?: unknown } | null)?.id;
  if (parsed.success) {
    checkReferences(parsed.data.properties, id, databaseKey);
    return result as NotionPage;
  }
  const r = result as { url?: unknown; properties?: unknown; last_edited_time?: unknown };
  if (r.url === undefined && r.properties === undefined && r.last_edited_time === undefined) {
    throw new SyncError(
      "notion_bad_response",
      `page ${printable(id)} of "${databaseKey}" came back as a partial page object (its id only): the database is not synced this time, so nothing is lost or marked deleted; if it repeats, report it`,
      {
        context: { databaseKey },
      },
    );
  }
  const problem = parsed.error.issues[0];
  throw malformed(id, databaseKey, `${problem?.path.join(".") ?? "?"}: ${problem?.message ?? "invalid"}`);
}

/**
 * A related page or person id that is not a UUID fails the page: silver would store it as it came.
 * The items of a show-original rollup are property values too, checked the same way.
 */
function checkReferences(properties: Record<string, { type: string }>, id: unknown, databaseKey: string): void {
  for (const [name, value] of Object.entries(properties)) {
    const problem = referenceProblem(value);
    if (problem) throw malformed(id, databaseKey, `properties.${name}.${problem}`);
  }
}

function referenceProblem(value: { type?: unknown; rollup?: { array?: unknown } }): string | undefined {
  if (value.type === "rollup" && Array.isArray(value.rollup?.array)) {
    for (const [index, item] of value.rollup.array.entries()) {
      const problem = typeof item === "object" && item !== null ? referenceProblem(item as { type?: unknown }) : undefined;
      if (problem) return `rollup.array.${index}.${problem}`;
    }
    return undefined;
  }
  const parsed = typeof value.type === "string" ? referenceValues[value.type]?.safeParse(value) : undefined;
  if (!parsed || parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}`;
}

/** An id or item id from a list answer (property items, users) that must be a Notion UUID. */
export function checkId(value: unknown, what: string): string {
  if (typeof value === "string" && NOTION_ID.test(value)) return value;
  throw new NotionError(
    "notion_bad_response",
    `${what}: the id ${printable(value)} is not a lower-case UUID; nothing of it is stored; if it repeats, report it`,
    { transient: false },
  );
}

function malformed(id: unknown, databaseKey: string, detail: string): SyncError {
  return new SyncError("notion_bad_response", `page ${printable(id)} of "${databaseKey}" is malformed: ${detail}`, { context: { databaseKey } });
}

/** A value from an answer, quoted for a message: JSON-escaped (no control characters), cut short. */
function printable(value: unknown): string {
  if (typeof value === "string" && NOTION_ID.test(value)) return value;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
