import { SyncError } from "../errors.js";
import type { DatabaseConfig } from "../config/index.js";
import type { PropertyAnswer } from "./answers.js";
import type { NotionGateway, RequestCounter } from "./gateway.js";
import { NotionError } from "./notion-errors.js";

/** A data source's schema: its properties by name, each with its stable id and type. */
export interface DataSourceSchema {
  readonly databaseId: string;
  readonly dataSourceId: string;
  readonly title: string;
  readonly properties: ReadonlyMap<string, SchemaProperty>;
}

export interface SchemaProperty {
  readonly id: string;
  readonly type: string;
  /** A relation's target data source, and the property on its other side for a two-way relation. */
  readonly relation?: { readonly dataSourceId: string; readonly syncedPropertyId: string | undefined };
  /** The relation property (of the same data source) a rollup rolls up through. */
  readonly rollupRelationId?: string;
  /** A formula's expression as the API shows it (it names the properties it reads). */
  readonly expression?: string;
}

/**
 * Resolves a mapped database to its data source (API 2025-09-03: a database holds one or more data
 * sources) and reads that data source's schema. A `database_id` that is in fact a data source id is
 * accepted too. Several data sources and no `data_source_id` in the mapping is an error that lists them.
 */
export async function resolveDataSource(gateway: NotionGateway, database: DatabaseConfig, counter: RequestCounter): Promise<DataSourceSchema> {
  let dataSourceId = database.dataSourceId;
  if (!dataSourceId) {
    try {
      const db = await gateway.retrieveDatabase(database.databaseId, `retrieve database "${database.key}"`, counter);
      const sources = db.data_sources ?? [];
      if (sources.length !== 1) {
        const listed = sources.map((s) => `"${s.name}" (${s.id})`).join(", ");
        throw new SyncError(
          "config_invalid",
          sources.length === 0
            ? `database "${database.key}" (${database.databaseId}) has no data source the integration can read`
            : `database "${database.key}" has ${sources.length} data sources: ${listed}; set data_source_id in the mapping to pick one`,
          { context: { databaseKey: database.key } },
        );
      }
      dataSourceId = sources[0]!.id;
    } catch (error) {
      // The id may be a data source id pasted into database_id: try it as one before giving up.
      if (!(error instanceof NotionError) || error.code !== "notion_not_found") throw error;
      dataSourceId = database.databaseId;
    }
  }
  const source = await gateway.retrieveDataSource(dataSourceId, `retrieve data source of "${database.key}"`, counter);
  const properties = new Map<string, SchemaProperty>();
  for (const [name, property] of Object.entries(source.properties ?? {})) properties.set(name, schemaProperty(property));
  return {
    databaseId: source.parent?.database_id ?? database.databaseId,
    dataSourceId: source.id,
    title: (source.title ?? []).map((t) => t.plain_text ?? "").join(""),
    properties,
  };
}

function schemaProperty(property: PropertyAnswer): SchemaProperty {
  const target = property.type === "relation" ? property.relation?.data_source_id : undefined;
  const through = property.type === "rollup" ? property.rollup?.relation_property_id : undefined;
  const expression = property.type === "formula" ? property.formula?.expression : undefined;
  return {
    id: property.id,
    type: property.type,
    ...(target ? { relation: { dataSourceId: target, syncedPropertyId: property.relation?.dual_property?.synced_property_id } } : {}),
    ...(through ? { rollupRelationId: through } : {}),
    ...(expression ? { expression } : {}),
  };
}
