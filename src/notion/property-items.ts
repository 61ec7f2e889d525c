import type { PropertyItem, PropertyItemsAnswer } from "./answers.js";
import type { PropertyValue } from "./types.js";
import { NotionError } from "./notion-errors.js";

/**
 * Turns answers of `GET /v1/pages/{id}/properties/{property_id}` back into page-object values, so
 * that a completed page has the shape Notion documents for page objects (bronze keeps it; silver is
 * derived from it). The endpoint answers a list where each item holds ONE element: a title or
 * rich_text item one rich-text object, a people item one user, a relation item one `{id}`.
 */
/** Types whose page-object value is a list, which the endpoint spreads over one item per element. */
const LIST_TYPES = new Set(["title", "rich_text", "people", "relation"]);

/** One property item as the page-object value it stands for: `{type, [type]: value}`, list types as a one-element list. */
export function pageValueOf(item: PropertyItem): Record<string, unknown> {
  const inner = item[item.type];
  return { type: item.type, [item.type]: LIST_TYPES.has(item.type) && !Array.isArray(inner) ? [inner] : inner };
}

/**
 * The rollup value of a page from the complete list answer (every answer read). A computed rollup
 * is in `property_item.rollup` of the last answer (earlier ones may say `incomplete`). "Show
 * original" (and "show unique") answer the flattened property items of every reference, with an
 * empty array in `property_item.rollup`: the array is rebuilt from the items. Notion does not compute
 * `median` and `unique` there either (it lists the items): they are computed from the items here.
 */
export function rollupFromItems(value: PropertyValue, list: PropertyItemsAnswer, what: string): PropertyValue {
  const rollup = list.property_item?.rollup;
  if (!rollup?.type || rollup.type === "incomplete") {
    const said = rollup?.type ? `"${rollup.type}"` : "no rollup value";
    throw new NotionError(
      "notion_bad_response",
      `${what}: the last answer of the property endpoint has ${said}; the page is not written with a rollup computed over 25 references only; if it repeats, report it`,
      { transient: false },
    );
  }
  if (rollup.type !== "array") return { ...value, rollup: { ...rollup } };
  const items = list.results.map(pageValueOf);
  if (rollup.function === "median") return { ...value, rollup: { type: "number", number: median(items), function: "median" } };
  if (rollup.function === "unique") return { ...value, rollup: { type: "number", number: uniqueCount(items), function: "unique" } };
  return { ...value, rollup: { type: "array", array: items, function: rollup.function ?? "show_original" } };
}

function numberOf(item: Record<string, unknown>): number | null {
  const inner = item[item.type as string];
  if (typeof inner === "number") return inner;
  const nested = inner as { type?: string; number?: unknown } | null;
  return nested?.type === "number" && typeof nested.number === "number" ? nested.number : null;
}

function median(items: readonly Record<string, unknown>[]): number | null {
  const numbers = items.flatMap((item) => {
    const n = numberOf(item);
    return n === null ? [] : [n];
  });
  if (numbers.length === 0) return null;
  numbers.sort((a, b) => a - b);
  const mid = Math.floor(numbers.length / 2);
  return numbers.length % 2 === 1 ? numbers[mid]! : (numbers[mid - 1]! + numbers[mid]!) / 2;
}

/** Distinct non-empty values ("count unique values"): null, "", [], and an unchecked box are empty. */
function uniqueCount(items: readonly Record<string, unknown>[]): number {
  const seen = new Set<string>();
  for (const item of items) {
    const inner = item[item.type as string];
    const empty = inner === null || inner === undefined || inner === "" || inner === false || (Array.isArray(inner) && inner.length === 0);
    if (!empty) seen.add(JSON.stringify(inner));
  }
  return seen.size;
}
