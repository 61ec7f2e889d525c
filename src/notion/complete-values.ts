import type { NotionPage, PropertyValue } from "../transform/types.js";
import type { NotionGateway, RequestCounter } from "./gateway.js";
import { checkId, checkList } from "./page-schema.js";
import { paginate } from "./paginate.js";

/**
 * Notion lists at most 25 items of a relation or people property in a page object (a relation says
 * `has_more: true`; people carry no flag) and computes rollups over those 25 only. For such pages
 * the full values come from `GET /v1/pages/{id}/properties/{property_id}`, paginated, and every
 * rollup of the page is re-read there too. Pages are returned with their values completed.
 */
const TRUNCATION = 25;

interface PropertyItemList {
  results: { type: string; [key: string]: unknown }[];
  has_more: boolean;
  next_cursor: string | null;
  property_item?: { type?: string; rollup?: unknown };
}

export function needsCompletion(page: NotionPage): boolean {
  for (const value of Object.values(page.properties)) if (isTruncated(value)) return true;
  return false;
}

function isTruncated(value: PropertyValue): boolean {
  if (value.type === "relation") return value.has_more === true;
  if (value.type === "people") return Array.isArray(value.people) && value.people.length >= TRUNCATION;
  return false;
}

export async function completePage(gateway: NotionGateway, page: NotionPage, databaseKey: string, counter: RequestCounter): Promise<NotionPage> {
  const properties: Record<string, PropertyValue> = { ...page.properties };
  const entries = Object.entries(page.properties);
  const truncated = entries.filter(([, value]) => isTruncated(value));
  if (truncated.length === 0) return page;
  await Promise.all(
    truncated.map(async ([name, value]) => {
      const what = `${databaseKey}: page ${page.id} property "${name}"`;
      const items = await readItems(gateway, page.id, value.id, what, counter);
      const list = items.results.map((item) => {
        const reference = item[value.type] as { id?: unknown } | undefined;
        checkId(reference?.id, what);
        return reference;
      });
      properties[name] = value.type === "relation" ? { ...value, relation: list, has_more: false } : { ...value, [value.type]: list };
    }),
  );
  await Promise.all(
    entries
      .filter(([, value]) => value.type === "rollup")
      .map(async ([name, value]) => {
        const items = await readItems(gateway, page.id, value.id, `${databaseKey}: page ${page.id} rollup "${name}"`, counter);
        const rollup = items.property_item?.rollup as { type?: string; array?: unknown[] } | undefined;
        if (!rollup?.type || rollup.type === "incomplete") return;
        if (rollup.type === "array") {
          const array = items.results.map(({ object: _object, id: _id, ...item }) => item);
          properties[name] = { ...value, rollup: { ...rollup, array } };
        } else {
          properties[name] = { ...value, rollup };
        }
      }),
  );
  return { ...page, properties };
}

/** At most this many answers (of 100 items) for one property: a relation or people list of 100,000. */
const MAX_ITEM_ANSWERS = 1_000;

/** Every item of one property, following `next_cursor`; the final list answer carries the rollup value. */
async function readItems(gateway: NotionGateway, pageId: string, propertyId: string, what: string, counter: RequestCounter): Promise<PropertyItemList> {
  const results: PropertyItemList["results"] = [];
  let last: PropertyItemList | undefined;
  const fetchAnswer = (cursor: string | undefined) => {
    const args = { page_id: pageId, property_id: propertyId, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) };
    return gateway.call(what, counter, (c) => c.pages.properties.retrieve(args).then((r) => checkList(r, what))) as unknown as Promise<PropertyItemList>;
  };
  for await (const answer of paginate(fetchAnswer, { what, maxAnswers: MAX_ITEM_ANSWERS })) {
    results.push(...answer.results);
    last = answer;
  }
  return { ...last!, results };
}
