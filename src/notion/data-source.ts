import { SyncError } from "../errors.js";
import type { DatabaseConfig } from "../config/index.js";
import type { NotionGateway, RequestCounter } from "./gateway.js";
import { NotionError } from "./notion-errors.js";

/** A data source's schema: its properties by name, each with its stable id and type. */
export interface DataSourceSchema {
  readonly databaseId: string;
  readonly dataSourceId: string;
  readonly title: string;
  readonly properties: ReadonlyMap<string, { readonly id: string; readonly type: string }>;
}

interface DatabaseObject { id: string; data_sources?: { id: string; name: string }[] }
interface DataSourceObject { id: string; title?: { plain_text?: string }[]; parent?: { database_id?: string }; properties: Record<string, { id: string; type: string; name: string }> }

/**
 * Resolves a mapped database to its data source (API 2025-09-03: a database holds one or more data
 * sources) and reads that data source's schema. A `database_id` that is in fact a data source id is
 * accepted too. Several data sources and no `data_source_id` in the mapping is an error that lists them.
 */
export async function resolveDataSource(gateway: NotionGateway, database: DatabaseConfig, counter: RequestCounter): Promise<DataSourceSchema> {
  let dataSourceId = database.dataSourceId;
  if (!dataSourceId) {
    try {
      const db = await gateway.call(`retrieve database "${database.key}"`, counter, (c) => c.databases.retrieve({ database_id: database.databaseId }) as Promise<DatabaseObject>);
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
  const source = await gateway.call(`retrieve data source of "${database.key}"`, counter, (c) => c.dataSources.retrieve({ data_source_id: dataSourceId }) as unknown as Promise<DataSourceObject>);
  const properties = new Map<string, { id: string; type: string }>();
  for (const [name, property] of Object.entries(source.properties ?? {})) properties.set(name, { id: property.id, type: property.type });
  return {
    databaseId: source.parent?.database_id ?? database.databaseId,
    dataSourceId: source.id,
    title: (source.title ?? []).map((t) => t.plain_text ?? "").join(""),
    properties,
  };
}
