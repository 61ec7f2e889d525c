/** Builders of Notion page property values in the API's 2025-09-03 shapes, for unit tests. */
import type { NotionPage, PropertyValue } from "../../src/transform/types.js";

let counter = 0;
const pid = () => `p${(counter += 1)}`;

export const segment = (text: string, extra: Record<string, unknown> = {}) => ({
  type: "text",
  text: { content: text, link: null },
  annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: "default" },
  plain_text: text,
  href: null,
  ...extra,
});

export const v = {
  title: (...texts: string[]): PropertyValue => ({ id: "title", type: "title", title: texts.map((t) => segment(t)) }),
  richText: (...texts: string[]): PropertyValue => ({ id: pid(), type: "rich_text", rich_text: texts.map((t) => segment(t)) }),
  number: (n: number | null): PropertyValue => ({ id: pid(), type: "number", number: n }),
  checkbox: (b: boolean): PropertyValue => ({ id: pid(), type: "checkbox", checkbox: b }),
  select: (name: string | null): PropertyValue => ({ id: pid(), type: "select", select: name === null ? null : { id: `opt-${name}`, name, color: "blue" } }),
  status: (name: string | null): PropertyValue => ({ id: pid(), type: "status", status: name === null ? null : { id: `st-${name}`, name, color: "green" } }),
  multiSelect: (...names: string[]): PropertyValue => ({
    id: pid(),
    type: "multi_select",
    multi_select: names.map((name) => ({ id: `opt-${name}`, name, color: "red" })),
  }),
  date: (start: string | null, end: string | null = null, timeZone: string | null = null): PropertyValue => ({
    id: pid(),
    type: "date",
    date: start === null ? null : { start, end, time_zone: timeZone },
  }),
  people: (...users: { id: string; name?: string; email?: string }[]): PropertyValue => ({
    id: pid(),
    type: "people",
    people: users.map((u) =>
      u.name ? { object: "user", id: u.id, name: u.name, type: "person", person: u.email ? { email: u.email } : {} } : { object: "user", id: u.id },
    ),
  }),
  relation: (ids: string[], hasMore = false): PropertyValue => ({ id: pid(), type: "relation", relation: ids.map((id) => ({ id })), has_more: hasMore }),
  files: (...files: { name: string; url: string; uploaded?: boolean; expiry?: string }[]): PropertyValue => ({
    id: pid(),
    type: "files",
    files: files.map((f) =>
      f.uploaded
        ? { name: f.name, type: "file", file: { url: f.url, expiry_time: f.expiry ?? "2026-01-01T01:00:00.000Z" } }
        : { name: f.name, type: "external", external: { url: f.url } },
    ),
  }),
  url: (s: string | null): PropertyValue => ({ id: pid(), type: "url", url: s }),
  email: (s: string | null): PropertyValue => ({ id: pid(), type: "email", email: s }),
  phone: (s: string | null): PropertyValue => ({ id: pid(), type: "phone_number", phone_number: s }),
  uniqueId: (prefix: string | null, n: number | null): PropertyValue => ({ id: pid(), type: "unique_id", unique_id: { prefix, number: n } }),
  formula: (result: Record<string, unknown>): PropertyValue => ({ id: pid(), type: "formula", formula: result }),
  rollup: (result: Record<string, unknown>): PropertyValue => ({ id: pid(), type: "rollup", rollup: { function: "sum", ...result } }),
  createdTime: (iso: string): PropertyValue => ({ id: pid(), type: "created_time", created_time: iso }),
  lastEditedTime: (iso: string): PropertyValue => ({ id: pid(), type: "last_edited_time", last_edited_time: iso }),
  createdBy: (id: string, name?: string): PropertyValue => ({
    id: pid(),
    type: "created_by",
    created_by: name ? { object: "user", id, name, type: "person", person: {} } : { object: "user", id },
  }),
  lastEditedBy: (id: string): PropertyValue => ({ id: pid(), type: "last_edited_by", last_edited_by: { object: "user", id } }),
};

export function page(properties: Record<string, PropertyValue>, overrides: Partial<NotionPage> = {}): NotionPage {
  return {
    object: "page",
    id: "5a7f0000-0000-4000-8000-000000000001",
    created_time: "2026-08-01T09:30:00.000Z",
    last_edited_time: "2026-08-02T11:07:00.000Z",
    created_by: { object: "user", id: "u1" },
    last_edited_by: { object: "user", id: "u2" },
    cover: null,
    icon: null,
    parent: { type: "data_source_id", data_source_id: "ds1", database_id: "db1" },
    in_trash: false,
    archived: false,
    url: "https://www.notion.so/Page-5a7f",
    public_url: null,
    properties,
    ...overrides,
  };
}
