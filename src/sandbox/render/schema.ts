import { compactId } from "../core/ids.js";
import { iso } from "../core/time.js";
import { formulaExpression } from "../compute/formulas.js";
import type { DataSourceRecord, PropertySchema } from "../model/types.js";
import { textItem } from "../model/values.js";
import type { Workspace } from "../store/workspace.js";
import type { ApiVersion } from "./page.js";
import { partialUser } from "./users.js";
import { richText } from "./values.js";
import type { DatabaseObjectResponse, DataSourceObjectResponse } from "./wire-types.js";

type SchemaPropertyAnswer = DataSourceObjectResponse["properties"][string];
type DatabaseAnswer = Omit<DatabaseObjectResponse, "archived"> & Partial<Pick<DatabaseObjectResponse, "archived">>;
type DataSourceAnswer = Omit<DataSourceObjectResponse, "archived"> & Partial<Pick<DataSourceObjectResponse, "archived">>;

function nameOf(ds: DataSourceRecord | undefined, id: string): string {
  return ds?.properties.find((p) => p.id === id)?.name ?? "";
}

/** The `[type]` configuration object of a schema property. */
function config(ws: Workspace, ds: DataSourceRecord, prop: PropertySchema): Record<string, unknown> {
  switch (prop.type) {
    case "number":
      return { format: prop.numberFormat ?? "number" };
    case "select":
    case "multi_select":
      return { options: (prop.options ?? []).map((o) => ({ ...o })) };
    case "status":
      return { options: (prop.options ?? []).map((o) => ({ ...o })), groups: (prop.groups ?? []).map((g) => ({ ...g, option_ids: [...g.option_ids] })) };
    case "formula":
      return { expression: formulaExpression(ds, prop) };
    case "unique_id":
      return { prefix: prop.prefix ?? null };
    case "relation": {
      const rel = prop.relation;
      const target = rel ? ws.dataSources.get(rel.dataSourceId) : undefined;
      const base = { database_id: target?.databaseId ?? null, data_source_id: rel?.dataSourceId ?? null };
      if (!rel?.syncedPropertyId) return { ...base, type: "single_property", single_property: {} };
      return {
        ...base,
        type: "dual_property",
        dual_property: { synced_property_id: rel.syncedPropertyId, synced_property_name: nameOf(target, rel.syncedPropertyId) },
      };
    }
    case "rollup": {
      const r = prop.rollup;
      if (!r) return {};
      const relation = ds.properties.find((p) => p.id === r.relationPropertyId);
      const target = relation?.relation ? ws.dataSources.get(relation.relation.dataSourceId) : undefined;
      return {
        function: r.fn,
        relation_property_name: relation?.name ?? "",
        relation_property_id: r.relationPropertyId,
        rollup_property_name: nameOf(target, r.rollupPropertyId),
        rollup_property_id: r.rollupPropertyId,
      };
    }
    default:
      return {};
  }
}

export function renderSchemaProperty(ws: Workspace, ds: DataSourceRecord, prop: PropertySchema): SchemaPropertyAnswer {
  // The per-type configuration is built by `config` from the model's own records.
  return { id: prop.id, name: prop.name, description: prop.description, type: prop.type, [prop.type]: config(ws, ds, prop) } as SchemaPropertyAnswer;
}

/** `GET /v1/data_sources/{id}`. */
export function renderDataSource(ws: Workspace, ds: DataSourceRecord, version: ApiVersion): DataSourceAnswer {
  const properties: DataSourceAnswer["properties"] = {};
  for (const prop of ds.properties) properties[prop.name] = renderSchemaProperty(ws, ds, prop);
  return {
    object: "data_source",
    id: ds.id,
    created_time: iso(ds.createdTime),
    last_edited_time: iso(ds.lastEditedTime),
    created_by: partialUser(ds.createdBy),
    last_edited_by: partialUser(ds.lastEditedBy),
    title: richText([textItem(ds.title)]),
    description: [],
    icon: null,
    cover: null,
    properties,
    parent: { type: "database_id", database_id: ds.databaseId },
    database_parent: { type: "workspace", workspace: true },
    is_inline: false,
    ...(version === "2026-03-11" ? { in_trash: false } : { archived: false, in_trash: false }),
    url: `https://www.notion.so/${compactId(ds.databaseId)}`,
    public_url: null,
  };
}

/** `GET /v1/databases/{id}`: the container, listing its data sources (no properties). */
export function renderDatabase(ds: DataSourceRecord, version: ApiVersion): DatabaseAnswer {
  return {
    object: "database",
    id: ds.databaseId,
    title: richText([textItem(ds.title)]),
    description: [],
    parent: { type: "workspace", workspace: true },
    is_inline: false,
    ...(version === "2026-03-11" ? { in_trash: false } : { in_trash: false, archived: false }),
    is_locked: false,
    created_time: iso(ds.createdTime),
    last_edited_time: iso(ds.lastEditedTime),
    data_sources: [{ id: ds.id, name: ds.title }],
    icon: null,
    cover: null,
    url: `https://www.notion.so/${compactId(ds.databaseId)}`,
    public_url: null,
  };
}
