import type { Extract } from "../config/index.js";
import { date, list, NULL, num, text, unreadable, type Extracted } from "./extracted.js";
import type { PropertyValue, UserDirectory } from "./types.js";

/**
 * Reads one property value the way the contract's table says (the default `extract`), or the part
 * named by `extract` (`end` of a date, `email` of people, `number` of a unique id ...).
 * `numericTarget` picks a unique id's number over its `PREFIX-123` text.
 */
export function extractValue(value: PropertyValue, extract: Extract | undefined, users: UserDirectory, numericTarget: boolean): Extracted {
  const inner = value[value.type];
  switch (value.type) {
    case "title":
    case "rich_text":
      return text(plainText(listOf(inner)));
    case "number":
      return num(inner as number | null);
    case "checkbox":
      return typeof inner === "boolean" ? { kind: "boolean", value: inner } : NULL;
    case "url":
    case "email":
    case "phone_number":
      return text(inner as string | null);
    case "select":
    case "status":
      return option(inner, extract);
    case "multi_select":
      return list(asArray(inner).map((item) => option(item, extract)));
    case "date":
      return dateValue(inner, extract);
    case "created_time":
    case "last_edited_time":
      return date(inner as string | null);
    case "people":
      return list(listOf(inner).map((user) => userValue(user, extract, users)));
    case "created_by":
    case "last_edited_by":
      return userValue(inner, extract, users);
    case "relation":
      return list(listOf(inner).map((item) => text((item as { id?: string }).id)));
    case "files":
      return list(asArray(inner).map((file) => fileValue(file, extract)));
    case "unique_id":
      return uniqueId(inner, extract, numericTarget);
    case "formula":
      return typedResult(inner, extract, users, numericTarget);
    case "rollup":
      return typedResult(inner, extract, users, numericTarget);
    default:
      return unreadable(`property type "${value.type}" is not supported`);
  }
}

function typedResult(inner: unknown, extract: Extract | undefined, users: UserDirectory, numericTarget: boolean): Extracted {
  const result = inner as { type?: string; [key: string]: unknown } | null;
  if (!result?.type) return NULL;
  switch (result.type) {
    case "string":
      return text(result.string as string | null);
    case "number":
      return num(result.number as number | null);
    case "boolean":
      return typeof result.boolean === "boolean" ? { kind: "boolean", value: result.boolean } : NULL;
    case "date":
      return dateValue(result.date, extract);
    case "array":
      // "Show original": one value per related page; a people or relation value is itself a list, and
      // the column gets the flattened ids (a STRING column joins them, as for multi_select).
      return list(
        asArray(result.array).flatMap((item) => {
          const one = extractValue({ id: "", ...(item as object) } as PropertyValue, extract, users, numericTarget);
          return one.kind === "list" ? one.items : [one];
        }),
      );
    default:
      // "unsupported" (Notion declined to compute) and "incomplete": no value.
      return NULL;
  }
}

function plainText(inner: unknown): string | null {
  const segments = asArray(inner);
  if (segments.length === 0) return null;
  let out = "";
  for (const segment of segments) out += (segment as { plain_text?: string }).plain_text ?? "";
  return out;
}

function option(inner: unknown, extract: Extract | undefined): Extracted {
  const selected = inner as { id?: string; name?: string } | null;
  if (!selected) return NULL;
  return text(extract === "id" ? selected.id : selected.name);
}

function dateValue(inner: unknown, extract: Extract | undefined): Extracted {
  const value = inner as { start?: string | null; end?: string | null; time_zone?: string | null } | null;
  if (!value) return NULL;
  if (extract === "end") return date(value.end);
  if (extract === "time_zone") return text(value.time_zone);
  return date(value.start);
}

function userValue(inner: unknown, extract: Extract | undefined, users: UserDirectory): Extracted {
  const user = inner as { id?: string; name?: string | null; person?: { email?: string | null } } | null;
  if (!user?.id) return NULL;
  if (extract === "name") return text(user.name ?? users.get(user.id)?.name ?? null);
  if (extract === "email") return text(user.person?.email ?? users.get(user.id)?.email ?? null);
  return text(user.id);
}

function fileValue(inner: unknown, extract: Extract | undefined): Extracted {
  const file = inner as { name?: string; type?: string; file?: { url?: string }; external?: { url?: string } };
  if (extract === "url") return text(file.type === "file" ? file.file?.url : file.external?.url);
  return text(file.name);
}

function uniqueId(inner: unknown, extract: Extract | undefined, numericTarget: boolean): Extracted {
  const id = inner as { prefix?: string | null; number?: number | null } | null;
  if (!id || typeof id.number !== "number") return NULL;
  if (extract === "number" || (extract === undefined && numericTarget)) return num(id.number);
  if (extract === "prefix") return text(id.prefix ?? null);
  return text(id.prefix ? `${id.prefix}-${id.number}` : String(id.number));
}

function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A list value; one element on its own (a property item's shape, in bronze written before issue 14) is a list of one. */
function listOf(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  return value !== null && typeof value === "object" ? [value] : [];
}
