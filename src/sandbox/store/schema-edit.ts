import { invalid, invalidBody } from "../errors.js";
import {
  PROPERTY_TYPES,
  ROLLUP_FUNCTIONS,
  type DataSourceRecord,
  type PropertySchema,
  type PropertyType,
  type RollupFunction,
  type SelectOption,
  type StoredValue,
} from "../model/types.js";
import { compactRichText, dateOf, idsOf, textOf } from "../model/values.js";
import { parseRichText } from "./rich-text-input.js";
import type { Workspace } from "./workspace.js";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The property type a schema request names: `type`, or the one known type key present. */
function requestedType(def: Record<string, unknown>, path: string): PropertyType | undefined {
  if (typeof def["type"] === "string") {
    if (!(PROPERTY_TYPES as readonly string[]).includes(def["type"]))
      throw invalidBody(`${path}.type`, `should be a known property type, instead was \`${def["type"]}\`.`);
    return def["type"] as PropertyType;
  }
  return PROPERTY_TYPES.find((t) => t in def);
}

/**
 * `PATCH /v1/data_sources/{id}`: title and schema changes. Property keys are names or ids; `null` removes,
 * `{name}` renames (the id stays), a type key adds or reconfigures. Bumps the data source's last_edited_time.
 */
export function updateDataSource(ws: Workspace, ds: DataSourceRecord, body: Record<string, unknown>): void {
  if (body["title"] !== undefined) ds.title = textOf(compactRichText(parseRichText(ws, body["title"], "body.title"))) || ds.title;
  const props = body["properties"];
  const before = new Map(ds.properties.map((p) => [p.id, p]));
  if (props !== undefined) {
    if (!isObject(props)) throw invalidBody("body.properties", "should be an object.");
    for (const [key, def] of Object.entries(props)) editProperty(ws, ds, key, def, `body.properties.${key}`);
  }
  ds.lastEditedTime = ws.stamp();
  ds.lastEditedBy = ws.bot.id;
  const after = new Set(ds.properties.map((p) => p.id));
  const touched = Object.keys(isObject(props) ? props : {});
  const properties = [
    ...ds.properties.filter((p) => !before.has(p.id)).map((p) => ({ id: p.id, name: p.name, action: "created" as const })),
    ...ds.properties
      .filter((p) => before.has(p.id) && touched.some((k) => k === p.id || k === before.get(p.id)!.name))
      .map((p) => ({ id: p.id, name: p.name, action: "updated" as const })),
    ...[...before.values()].filter((p) => !after.has(p.id)).map((p) => ({ id: p.id, name: null, action: "deleted" as const })),
  ];
  if (properties.length > 0)
    ws.changed({ kind: "data_source.schema_updated", dataSourceId: ds.id, databaseId: ds.databaseId, at: ws.now(), by: ws.bot.id, properties });
}

function editProperty(ws: Workspace, ds: DataSourceRecord, key: string, def: unknown, path: string): void {
  const existing = ws.property(ds, key);
  if (def === null) {
    if (!existing) throw invalid(`${key} is not a property that exists.`);
    if (existing.type === "title") throw invalidBody(path, "cannot remove the title property.");
    ds.properties = ds.properties.filter((p) => p !== existing);
    for (const page of ds.pages) delete page.values[existing.id];
    return;
  }
  if (!isObject(def)) throw invalidBody(path, "should be an object or `null`.");
  const type = requestedType(def, path);
  const name = def["name"];
  if (name !== undefined && (typeof name !== "string" || name.trim() === "")) throw invalidBody(`${path}.name`, "should be a non-empty string.");
  const newName = typeof name === "string" ? name : existing ? existing.name : key;
  const clash = ds.properties.find((p) => p.name === newName && p !== existing);
  if (clash) throw invalidBody(`${path}.name`, `should be unique, but a property named "${newName}" exists.`);
  if (typeof def["description"] === "string" && existing) existing.description = def["description"];
  if (!existing) {
    if (!type) throw invalidBody(path, "should define a property type to create the property.");
    const prop: PropertySchema = { id: type === "title" ? "title" : ws.newPropertyId(ds), name: newName, type, description: null };
    if (type === "title") throw invalidBody(path, "cannot add a second title property.");
    configure(ws, ds, prop, def[type], path);
    ds.properties.push(prop);
    return;
  }
  existing.name = newName;
  if (!type) return;
  if (type !== existing.type) {
    if (existing.type === "title") throw invalidBody(path, "cannot change the type of the title property.");
    if (["formula", "rollup", "status", "relation", "unique_id", "title"].includes(type))
      throw invalidBody(path, `cannot convert a property to ${type} in the sandbox.`);
    convertValues(ws, ds, existing, type);
    existing.type = type;
  } else if (existing.type === "status" && def[type] !== undefined && isObject(def[type]) && Object.keys(def[type]).length > 0) {
    throw invalidBody(path, "status options cannot be updated through the API.");
  }
  configure(ws, ds, existing, def[type], path);
}

function configure(ws: Workspace, ds: DataSourceRecord, prop: PropertySchema, cfg: unknown, path: string): void {
  const c = isObject(cfg) ? cfg : {};
  switch (prop.type) {
    case "number":
      prop.numberFormat = typeof c["format"] === "string" ? c["format"] : (prop.numberFormat ?? "number");
      return;
    case "select":
    case "multi_select":
    case "status":
      if (Array.isArray(c["options"])) setOptions(ws, ds, prop, c["options"], `${path}.${prop.type}.options`);
      prop.options ??= [];
      if (prop.type === "status") prop.groups ??= [];
      return;
    case "formula":
      if (typeof c["expression"] === "string") prop.formula = { kind: "custom", refs: [], expression: c["expression"] };
      return;
    case "unique_id":
      prop.prefix = typeof c["prefix"] === "string" ? c["prefix"] : (prop.prefix ?? null);
      return;
    case "relation":
      return configureRelation(ws, ds, prop, c, path);
    case "rollup":
      return configureRollup(ws, ds, prop, c, path);
    default:
      return;
  }
}

/** Replaces an option list; options keep their ids when matched by id or name, pages lose removed options. */
function setOptions(ws: Workspace, ds: DataSourceRecord, prop: PropertySchema, raw: unknown[], path: string): void {
  const before = prop.options ?? [];
  const next: SelectOption[] = raw.map((o, i) => {
    if (!isObject(o) || (typeof o["name"] !== "string" && typeof o["id"] !== "string")) throw invalidBody(`${path}[${i}]`, "should define `name` or `id`.");
    const old = before.find((b) => b.id === o["id"] || b.name === o["name"]);
    return {
      id: old?.id ?? ws.newId(),
      name: typeof o["name"] === "string" ? o["name"] : (old?.name ?? ""),
      color: typeof o["color"] === "string" ? o["color"] : (old?.color ?? "default"),
      description: typeof o["description"] === "string" ? o["description"] : (old?.description ?? null),
    };
  });
  const kept = new Set(next.map((o) => o.id));
  prop.options = next;
  if (before.every((b) => kept.has(b.id))) return;
  for (const page of ds.pages) {
    const v = page.values[prop.id];
    if (typeof v === "string" && !kept.has(v)) page.values[prop.id] = null;
    else if (Array.isArray(v)) page.values[prop.id] = (v as string[]).filter((id) => kept.has(id));
  }
}

function configureRelation(ws: Workspace, ds: DataSourceRecord, prop: PropertySchema, c: Record<string, unknown>, path: string): void {
  if (prop.relation) return;
  const target = typeof c["data_source_id"] === "string" ? ws.dataSource(c["data_source_id"]) : undefined;
  if (!target) throw invalidBody(`${path}.relation.data_source_id`, "should be a data source shared with the integration.");
  prop.relation = { dataSourceId: target.id, syncedPropertyId: null };
  if (c["type"] !== "dual_property") return;
  const synced: PropertySchema = {
    id: ws.newPropertyId(target),
    name: `Related to ${ds.title} (${prop.name})`,
    type: "relation",
    description: null,
    relation: { dataSourceId: ds.id, syncedPropertyId: prop.id },
  };
  target.properties.push(synced);
  prop.relation.syncedPropertyId = synced.id;
}

function configureRollup(ws: Workspace, ds: DataSourceRecord, prop: PropertySchema, c: Record<string, unknown>, path: string): void {
  const relRef = c["relation_property_id"] ?? c["relation_property_name"];
  const relation = typeof relRef === "string" ? ws.property(ds, relRef) : undefined;
  const target = relation?.relation ? ws.dataSource(relation.relation.dataSourceId) : undefined;
  const rollRef = c["rollup_property_id"] ?? c["rollup_property_name"];
  const rolled = target && typeof rollRef === "string" ? ws.property(target, rollRef) : undefined;
  const fn = c["function"];
  if (!relation || !rolled || typeof fn !== "string" || !(ROLLUP_FUNCTIONS as readonly string[]).includes(fn)) {
    if (prop.rollup) return;
    throw invalidBody(`${path}.rollup`, "should name an existing relation property, a property of the related data source and a rollup function.");
  }
  prop.rollup = { fn: fn as RollupFunction, relationPropertyId: relation.id, rollupPropertyId: rolled.id };
}

/** Type changes keep what survives a trip through plain text, like Notion does. */
function convertValues(ws: Workspace, ds: DataSourceRecord, prop: PropertySchema, to: PropertyType): void {
  const options: SelectOption[] = [];
  for (const page of ds.pages) {
    const text = plainOf(prop, page.values[prop.id]).trim();
    delete page.values[prop.id];
    if (!text) continue;
    if (to === "rich_text" || to === "url" || to === "email" || to === "phone_number") page.values[prop.id] = text;
    else if (to === "number" && Number.isFinite(Number(text))) page.values[prop.id] = Number(text);
    else if (to === "checkbox") page.values[prop.id] = ["true", "yes", "1"].includes(text.toLowerCase());
    else if (to === "select" || to === "multi_select") {
      let option = options.find((o) => o.name === text);
      if (!option) options.push((option = { id: ws.newId(), name: text, color: "default", description: null }));
      page.values[prop.id] = to === "select" ? option.id : [option.id];
    }
  }
  if (to === "select" || to === "multi_select") prop.options = options;
}

function plainOf(prop: PropertySchema, v: StoredValue | undefined): string {
  const name = (id: string) => prop.options?.find((o) => o.id === id)?.name ?? "";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if ((prop.type === "select" || prop.type === "status") && typeof v === "string") return name(v);
  if (prop.type === "multi_select") return idsOf(v).map(name).join(", ");
  if (prop.type === "date") return dateOf(v)?.start ?? "";
  return typeof v === "string" || prop.type === "title" || prop.type === "rich_text" ? textOf(v) : "";
}
