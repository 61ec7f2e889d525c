import { normalizeId } from "../core/ids.js";
import { isNotionDate } from "../core/time.js";
import { invalidBody } from "../errors.js";
import { COLORS, READ_ONLY_TYPES, type FileValue, type PropertySchema, type SelectOption, type StoredValue } from "../model/types.js";
import { compactRichText } from "../model/values.js";
import { parseRichText } from "./rich-text-input.js";
import type { Workspace } from "./workspace.js";

const MAX_LIST = 100;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return `\`${JSON.stringify(value) ?? "undefined"}\``;
}

/**
 * Parses one property of a create/update request (`{ "<type>": value }`, `type` optional)
 * into its stored form. Throws a 400 validation_error naming the offending path.
 */
export function parsePropertyValue(ws: Workspace, prop: PropertySchema, raw: unknown, path: string): StoredValue {
  if (READ_ONLY_TYPES.has(prop.type)) {
    throw invalidBody(path, `is a ${prop.type} property, which cannot be written.`);
  }
  if (!isObject(raw)) throw invalidBody(path, `should be an object, instead was ${show(raw)}.`);
  if (!(prop.type in raw)) throw invalidBody(`${path}.${prop.type}`, "should be defined, instead was `undefined`.");
  const value = raw[prop.type];
  const at = `${path}.${prop.type}`;
  switch (prop.type) {
    case "title":
    case "rich_text":
      return compactRichText(parseRichText(ws, value, at));
    case "number":
      if (value !== null && (typeof value !== "number" || !Number.isFinite(value)))
        throw invalidBody(at, `should be a number or \`null\`, instead was ${show(value)}.`);
      return value;
    case "checkbox":
      if (typeof value !== "boolean") throw invalidBody(at, `should be a boolean, instead was ${show(value)}.`);
      return value;
    case "url":
    case "email":
    case "phone_number": {
      const max = prop.type === "url" ? 2000 : 200;
      if (value !== null && typeof value !== "string") throw invalidBody(at, `should be a string or \`null\`, instead was ${show(value)}.`);
      if (typeof value === "string" && value.length > max) throw invalidBody(`${at}.length`, `should be ≤ \`${max}\`, instead was \`${value.length}\`.`);
      return value === "" ? null : value;
    }
    case "select":
    case "status":
      return value === null ? null : resolveOption(ws, prop, value, at, prop.type === "select");
    case "multi_select":
      return list(value, at).map((item, i) => resolveOption(ws, prop, item, `${at}[${i}]`, true));
    case "date":
      return parseDate(value, at);
    case "people":
      return unique(
        list(value, at).map((item, i) => {
          const id = isObject(item) && typeof item["id"] === "string" ? item["id"] : undefined;
          const user = id === undefined ? undefined : ws.user(id);
          if (!user) throw invalidBody(`${at}[${i}].id`, `should be a user in the workspace, instead was ${show(id)}.`);
          return user.id;
        }),
      );
    case "relation":
      return unique(list(value, at).map((item, i) => resolveRelated(ws, prop, item, `${at}[${i}]`)));
    case "files":
      return list(value, at).map((item, i) => parseFile(ws, item, `${at}[${i}]`));
    default:
      throw invalidBody(path, `has type ${prop.type}, which cannot be written.`);
  }
}

function list(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw invalidBody(at, `should be an array, instead was ${show(value)}.`);
  if (value.length > MAX_LIST) throw invalidBody(`${at}.length`, `should be ≤ \`${MAX_LIST}\`, instead was \`${value.length}\`.`);
  return value;
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function resolveOption(ws: Workspace, prop: PropertySchema, raw: unknown, at: string, mayCreate: boolean): string {
  if (!isObject(raw)) throw invalidBody(at, `should be an object with \`name\` or \`id\`, instead was ${show(raw)}.`);
  const options = (prop.options ??= []);
  if (typeof raw["id"] === "string") {
    const byId = options.find((o) => o.id === raw["id"]);
    if (!byId) throw invalidBody(`${at}.id`, `should be an existing option of ${prop.name}, instead was ${show(raw["id"])}.`);
    return byId.id;
  }
  const name = raw["name"];
  if (typeof name !== "string" || name.trim() === "") throw invalidBody(at, "should define `name` or `id`.");
  if (name.includes(",")) throw invalidBody(`${at}.name`, "should not contain commas.");
  const byName = options.find((o) => o.name === name);
  if (byName) return byName.id;
  if (!mayCreate) throw invalidBody(`${at}.name`, `should be an existing option of ${prop.name}, instead was ${show(name)}.`);
  const color = typeof raw["color"] === "string" ? raw["color"] : (COLORS[options.length % COLORS.length] ?? "default");
  const option: SelectOption = { id: ws.newId(), name, color, description: null };
  options.push(option);
  return option.id;
}

function parseDate(value: unknown, at: string): StoredValue {
  if (value === null) return null;
  if (!isObject(value) || typeof value["start"] !== "string" || !isNotionDate(value["start"])) {
    throw invalidBody(`${at}.start`, `should be an ISO 8601 date or date-time, instead was ${show(isObject(value) ? value["start"] : value)}.`);
  }
  const end = value["end"];
  if (end !== undefined && end !== null && (typeof end !== "string" || !isNotionDate(end))) {
    throw invalidBody(`${at}.end`, `should be an ISO 8601 date or date-time, instead was ${show(end)}.`);
  }
  const zone = value["time_zone"];
  return { start: value["start"], end: typeof end === "string" ? end : null, time_zone: typeof zone === "string" ? zone : null };
}

function resolveRelated(ws: Workspace, prop: PropertySchema, raw: unknown, at: string): string {
  const id = isObject(raw) && typeof raw["id"] === "string" ? normalizeId(raw["id"]) : undefined;
  if (id === undefined) throw invalidBody(`${at}.id`, `should be a valid uuid, instead was ${show(isObject(raw) ? raw["id"] : raw)}.`);
  const target = ws.page(id);
  if (!target || target.dataSourceId !== prop.relation?.dataSourceId) {
    throw invalidBody(`${at}.id`, `should be a page of the related data source, instead was \`${id}\`.`);
  }
  return id;
}

function parseFile(ws: Workspace, raw: unknown, at: string): FileValue {
  if (!isObject(raw)) throw invalidBody(at, "should be an object.");
  const external = raw["external"];
  if (isObject(external) && typeof external["url"] === "string") {
    return { name: typeof raw["name"] === "string" ? raw["name"] : external["url"], kind: "external", url: external["url"] };
  }
  const upload = raw["file_upload"];
  if (isObject(upload) && typeof upload["id"] === "string") {
    const name = typeof raw["name"] === "string" ? raw["name"] : "upload.bin";
    return { name, kind: "file", url: `${normalizeId(upload["id"]) ?? ws.newId()}/${name}` };
  }
  const file = raw["file"];
  if (isObject(file) && typeof file["url"] === "string") {
    const name = typeof raw["name"] === "string" ? raw["name"] : "file";
    const key = new URL(file["url"], "https://files.invalid").pathname.split("/").filter(Boolean).slice(-2).join("/");
    return { name, kind: "file", url: key || `${ws.newId()}/${name}` };
  }
  throw invalidBody(at, "should define `external`, `file_upload` or `file`.");
}
