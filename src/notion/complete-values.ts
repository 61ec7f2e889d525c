import type { NotionPage, PropertyValue } from "./types.js";
import type { NotionGateway, RequestCounter } from "./gateway.js";
import { checkId } from "./page-schema.js";
import { paginate } from "./paginate.js";
import type { PropertyItem, PropertyItemsAnswer } from "./answers.js";
import { rollupFromItems } from "./property-items.js";

/**
 * Page objects hold at most 25 references per property: a relation lists 25 items (`has_more: true`),
 * people lists stop at 25 (no flag), a title or rich_text value holds at most 25 inline page or person
 * mentions (past that they read "Untitled"/"Anonymous" or are missing), and rollups are computed over
 * the first 25 related pages. For such pages the full values come from
 * `GET /v1/pages/{id}/properties/{property_id}`, paginated, and every rollup of the page is re-read
 * there too. Pages are returned with their values completed, in page-object shape.
 */

/** References a page object holds per property at most (see above). */
const TRUNCATION = 25;
/** Mention kinds that count against the 25 references of a title or rich_text value. */
const REFERENCE_MENTIONS = new Set(["user", "page", "database"]);

export function needsCompletion(page: NotionPage): boolean {
  for (const value of Object.values(page.properties)) if (isTruncated(value)) return true;
  return false;
}

function isTruncated(value: PropertyValue): boolean {
  const inner = value[value.type];
  if (value.type === "relation") return value.has_more === true || (value.has_more === undefined && Array.isArray(inner) && inner.length >= TRUNCATION);
  if (value.type === "people") return Array.isArray(inner) && inner.length >= TRUNCATION;
  if (value.type === "title" || value.type === "rich_text") return Array.isArray(inner) && mentionCount(inner) >= TRUNCATION;
  // A "show original" rollup whose values are themselves capped lists (a related page's 25+ relations,
  // people or mentions): elements carry no `has_more`, so a full list is taken as cut.
  const rollup = value.type === "rollup" ? (inner as { type?: string; array?: unknown } | null) : null;
  if (rollup?.type === "array" && Array.isArray(rollup.array))
    return rollup.array.some((element) => isTruncated({ id: "", ...(element as object) } as PropertyValue));
  return false;
}

function mentionCount(segments: readonly unknown[]): number {
  let count = 0;
  for (const segment of segments) {
    const s = segment as { type?: string; mention?: { type?: string } } | null;
    if (s?.type === "mention" && REFERENCE_MENTIONS.has(s.mention?.type ?? "")) count += 1;
  }
  return count;
}

export async function completePage(gateway: NotionGateway, page: NotionPage, databaseKey: string, counter: RequestCounter): Promise<NotionPage> {
  const properties: Record<string, PropertyValue> = { ...page.properties };
  const entries = Object.entries(page.properties);
  if (!entries.some(([, value]) => isTruncated(value))) return page;
  const read = (name: string, value: PropertyValue, kind: string) =>
    readItems(gateway, page.id, value.id, `${databaseKey}: page ${page.id} ${kind} "${name}"`, counter);
  // Each property is read once: truncated lists here, every rollup (truncated or not) in the rollup pass below.
  await Promise.all(
    entries
      .filter(([, value]) => value.type !== "rollup" && isTruncated(value))
      .map(async ([name, value]) => {
        const list = (await read(name, value, "property")).results.map((item) => {
          const element = item[value.type];
          // Related pages and people are stored by id: an id that is not a UUID fails the page.
          if (value.type === "relation" || value.type === "people")
            checkId((element as { id?: unknown } | undefined)?.id, `${databaseKey}: page ${page.id} property "${name}"`);
          return element;
        });
        properties[name] = value.type === "relation" ? { ...value, relation: list, has_more: false } : { ...value, [value.type]: list };
      }),
  );
  await Promise.all(
    entries
      .filter(([, value]) => value.type === "rollup")
      .map(async ([name, value]) => {
        properties[name] = rollupFromItems(value, await read(name, value, "rollup"), `${databaseKey}: page ${page.id} rollup "${name}"`);
      }),
  );
  return { ...page, properties };
}

/** At most this many answers (of 100 items) for one property: a relation or people list of 100,000. */
const MAX_ITEM_ANSWERS = 1_000;

/** Every item of one property, following `next_cursor`; the final list answer carries the rollup value. */
async function readItems(gateway: NotionGateway, pageId: string, propertyId: string, what: string, counter: RequestCounter): Promise<PropertyItemsAnswer> {
  const results: PropertyItem[] = [];
  let last: PropertyItemsAnswer | undefined;
  const fetchAnswer = (cursor: string | undefined) => gateway.listPropertyItems({ pageId, propertyId, ...(cursor ? { cursor } : {}) }, what, counter);
  for await (const answer of paginate(fetchAnswer, { what, maxAnswers: MAX_ITEM_ANSWERS })) {
    results.push(...answer.results);
    last = answer;
  }
  return { ...last!, results };
}
