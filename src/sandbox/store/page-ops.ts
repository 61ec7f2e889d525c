import { invalid, invalidBody } from "../errors.js";
import type { DataSourceRecord, PageRecord, PropertySchema, StoredValue } from "../model/types.js";
import { idsOf, numberOf } from "../model/values.js";
import { setRelation, touch } from "./relations.js";
import { parsePropertyValue } from "./writes.js";
import type { Workspace } from "./workspace.js";

/** What a page write may change, in the request shapes of `POST /v1/pages` and `PATCH /v1/pages/{id}`. */
export interface PageChanges {
  properties?: unknown;
  inTrash?: boolean;
  icon?: unknown;
  cover?: unknown;
}

type Parsed = Array<{ prop: PropertySchema; value: StoredValue }>;

/** Validates a whole `properties` object before anything is written. */
function parseProperties(ws: Workspace, ds: DataSourceRecord, raw: unknown): Parsed {
  if (raw === undefined) return [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalidBody("body.properties", `should be an object, instead was \`${JSON.stringify(raw)}\`.`);
  }
  const parsed: Parsed = [];
  for (const [key, value] of Object.entries(raw)) {
    const prop = ws.property(ds, key);
    if (!prop) throw invalid(`${key} is not a property that exists.`);
    parsed.push({ prop, value: parsePropertyValue(ws, prop, value, `body.properties.${key}`) });
  }
  return parsed;
}

function apply(ws: Workspace, page: PageRecord, parsed: Parsed, at: number, by: string): void {
  for (const { prop, value } of parsed) {
    if (prop.type === "relation") setRelation(ws, page, prop, idsOf(value), at, by);
    else page.values[prop.id] = value;
  }
}

/** Creates a page in a data source; `by` is the acting user (the bot for API writes). */
export function createPage(ws: Workspace, dataSourceId: string, changes: PageChanges, by: string): PageRecord {
  const ds = ws.dataSourceOrThrow(dataSourceId);
  const parsed = parseProperties(ws, ds, changes.properties);
  const at = ws.stamp();
  const page: PageRecord = {
    id: ws.newId(),
    dataSourceId: ds.id,
    createdTime: at,
    lastEditedTime: at,
    createdBy: by,
    lastEditedBy: by,
    inTrash: false,
    values: {},
  };
  if (changes.icon !== undefined) page.icon = changes.icon;
  if (changes.cover !== undefined) page.cover = changes.cover;
  for (const prop of ds.properties) {
    if (prop.type === "unique_id") page.values[prop.id] = nextUniqueNumber(ds, prop);
  }
  ws.addPage(page);
  apply(ws, page, parsed, at, by);
  ws.changed({ kind: "page.created", pageId: page.id, dataSourceId: ds.id, databaseId: ds.databaseId, at: ws.now(), by });
  return page;
}

function nextUniqueNumber(ds: DataSourceRecord, prop: PropertySchema): number {
  if (prop.nextNumber === undefined) {
    let max = 0;
    for (const page of ds.pages) max = Math.max(max, numberOf(page.values[prop.id]) ?? 0);
    prop.nextNumber = max + 1;
  }
  return prop.nextNumber++;
}

/** Updates properties, trash state, icon or cover of a page. Restoring happens before property writes. */
export function updatePage(ws: Workspace, pageId: string, changes: PageChanges, by: string): PageRecord {
  const page = ws.pageOrThrow(pageId);
  const ds = ws.dataSourceOf(page);
  const restoring = changes.inTrash === false && page.inTrash;
  if (changes.properties !== undefined && page.inTrash && !restoring) {
    throw invalid("Can't update a page that is archived. You must unarchive the page before updating.");
  }
  const parsed = parseProperties(ws, ds, changes.properties);
  const at = ws.stamp();
  const trashing = changes.inTrash === true && !page.inTrash;
  if (changes.inTrash !== undefined) page.inTrash = changes.inTrash;
  if (changes.icon !== undefined) page.icon = changes.icon;
  if (changes.cover !== undefined) page.cover = changes.cover;
  apply(ws, page, parsed, at, by);
  touch(page, at, by);
  const change = { pageId: page.id, dataSourceId: ds.id, databaseId: ds.databaseId, at: ws.now(), by };
  if (restoring) ws.changed({ kind: "page.undeleted", ...change });
  if (parsed.length > 0) ws.changed({ kind: "page.properties_updated", ...change, properties: parsed.map((p) => p.prop.id) });
  if (trashing) ws.changed({ kind: "page.deleted", ...change });
  return page;
}
