/** Typed views of stored values, and rich text builders. */
import type { Annotations, DateValue, FileValue, RichTextItem, StoredValue } from "./types.js";

export const PLAIN: Readonly<Annotations> = Object.freeze({
  bold: false,
  italic: false,
  strikethrough: false,
  underline: false,
  code: false,
  color: "default",
});

/** One `text` rich text item. */
export function textItem(content: string, link: string | null = null, annotations: Partial<Annotations> = {}): RichTextItem {
  return {
    type: "text",
    text: { content, link: link === null ? null : { url: link } },
    annotations: { ...PLAIN, ...annotations },
    plain_text: content,
    href: link,
  };
}

/** A user mention item (`@Name`). */
export function userMention(userId: string, name: string): RichTextItem {
  return {
    type: "mention",
    mention: { type: "user", user: { object: "user", id: userId } },
    annotations: { ...PLAIN },
    plain_text: `@${name}`,
    href: null,
  };
}

function isRichTextArray(value: StoredValue | undefined): value is RichTextItem[] {
  return Array.isArray(value) && (value.length === 0 || typeof value[0] === "object");
}

/** Rich text items of a title/rich_text value (a plain string becomes one text item). */
export function richTextOf(value: StoredValue | undefined): RichTextItem[] {
  if (typeof value === "string") return value === "" ? [] : [textItem(value)];
  return isRichTextArray(value) ? value : [];
}

/** Plain text of a title/rich_text value: all segments joined. */
export function textOf(value: StoredValue | undefined): string {
  if (typeof value === "string") return value;
  return isRichTextArray(value) ? value.map((item) => item.plain_text).join("") : "";
}

/** Stores rich text compactly: one unformatted text segment becomes a string. */
export function compactRichText(items: RichTextItem[]): StoredValue {
  const only = items[0];
  if (items.length === 0) return "";
  if (items.length === 1 && only && only.type === "text" && only.href === null && isPlain(only.annotations)) {
    return only.plain_text;
  }
  return items;
}

function isPlain(a: Annotations): boolean {
  return !a.bold && !a.italic && !a.strikethrough && !a.underline && !a.code && a.color === "default";
}

export function numberOf(value: StoredValue | undefined): number | null {
  return typeof value === "number" ? value : null;
}

export function boolOf(value: StoredValue | undefined): boolean {
  return value === true;
}

/** select/status option id, or a url/email/phone string. */
export function stringOf(value: StoredValue | undefined): string | null {
  return typeof value === "string" ? value : null;
}

/** Ids of multi_select/people/relation values. */
export function idsOf(value: StoredValue | undefined): string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : [];
}

export function dateOf(value: StoredValue | undefined): DateValue | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
}

export function filesOf(value: StoredValue | undefined): FileValue[] {
  return Array.isArray(value) && value.every((v) => typeof v === "object" && v !== null && "kind" in v) ? value : [];
}
