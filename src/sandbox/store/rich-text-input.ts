import { normalizeId } from "../core/ids.js";
import { isNotionDate } from "../core/time.js";
import { invalidBody } from "../errors.js";
import type { Annotations, RichTextItem } from "../model/types.js";
import { PLAIN, textOf, textItem, userMention } from "../model/values.js";
import type { Workspace } from "./workspace.js";

const MAX_ITEMS = 100;
const MAX_TEXT = 2000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a request rich text array into response-form items (plain_text and href filled in). */
export function parseRichText(ws: Workspace, raw: unknown, path: string): RichTextItem[] {
  if (!Array.isArray(raw)) throw invalidBody(path, `should be an array, instead was \`${JSON.stringify(raw)}\`.`);
  if (raw.length > MAX_ITEMS) throw invalidBody(`${path}.length`, `should be ≤ \`${MAX_ITEMS}\`, instead was \`${raw.length}\`.`);
  return raw.map((item, i) => parseItem(ws, item, `${path}[${i}]`));
}

function parseItem(ws: Workspace, item: unknown, path: string): RichTextItem {
  if (!isObject(item)) throw invalidBody(path, "should be an object.");
  const annotations = parseAnnotations(item["annotations"], `${path}.annotations`);
  if (isObject(item["text"])) {
    const text = item["text"];
    const content = text["content"];
    if (typeof content !== "string") throw invalidBody(`${path}.text.content`, "should be a string.");
    if (content.length > MAX_TEXT) {
      throw invalidBody(`${path}.text.content.length`, `should be ≤ \`${MAX_TEXT}\`, instead was \`${content.length}\`.`);
    }
    const link = text["link"];
    const url = isObject(link) && typeof link["url"] === "string" ? link["url"] : null;
    return textItem(content, url, annotations);
  }
  if (isObject(item["mention"])) return parseMention(ws, item["mention"], annotations, `${path}.mention`);
  if (isObject(item["equation"]) && typeof item["equation"]["expression"] === "string") {
    const expression = item["equation"]["expression"];
    return { type: "equation", equation: { expression }, annotations, plain_text: expression, href: null };
  }
  throw invalidBody(path, "should define one of `text`, `mention`, `equation`.");
}

function parseMention(ws: Workspace, mention: Record<string, unknown>, annotations: Annotations, path: string): RichTextItem {
  const user = mention["user"];
  if (isObject(user) && typeof user["id"] === "string") {
    const found = ws.user(user["id"]);
    if (!found) throw invalidBody(`${path}.user.id`, `should be a user shared with the integration, instead was \`${user["id"]}\`.`);
    return { ...userMention(found.id, found.name), annotations };
  }
  const page = mention["page"];
  if (isObject(page) && typeof page["id"] === "string") {
    const target = ws.page(page["id"]);
    if (!target) throw invalidBody(`${path}.page.id`, `should be a page shared with the integration, instead was \`${page["id"]}\`.`);
    const title = textOf(target.values["title"]) || "Untitled";
    return {
      type: "mention",
      mention: { type: "page", page: { id: target.id } },
      annotations,
      plain_text: title,
      href: `https://www.notion.so/${target.id.replace(/-/g, "")}`,
    };
  }
  const date = mention["date"];
  if (isObject(date) && typeof date["start"] === "string" && isNotionDate(date["start"])) {
    const value = { start: date["start"], end: typeof date["end"] === "string" ? date["end"] : null, time_zone: null };
    return { type: "mention", mention: { type: "date", date: value }, annotations, plain_text: value.start, href: null };
  }
  const database = mention["database"];
  if (isObject(database) && typeof database["id"] === "string" && normalizeId(database["id"])) {
    const ds = ws.database(database["id"]);
    const plain = ds ? ds.title : "Untitled";
    return { type: "mention", mention: { type: "database", database: { id: normalizeId(database["id"]) } }, annotations, plain_text: plain, href: null };
  }
  throw invalidBody(path, "should define one of `user`, `page`, `date`, `database`.");
}

function parseAnnotations(raw: unknown, path: string): Annotations {
  if (raw === undefined) return { ...PLAIN };
  if (!isObject(raw)) throw invalidBody(path, "should be an object.");
  const out: Annotations = { ...PLAIN };
  for (const key of ["bold", "italic", "strikethrough", "underline", "code"] as const) {
    const v = raw[key];
    if (v !== undefined && typeof v !== "boolean") throw invalidBody(`${path}.${key}`, "should be a boolean.");
    if (v !== undefined) out[key] = v;
  }
  if (typeof raw["color"] === "string") out.color = raw["color"];
  return out;
}
