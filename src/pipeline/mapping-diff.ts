import { formatColumnType, type AppConfig, type DatabaseConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import { createNotionGateway, resolveDataSource, type DataSourceSchema } from "../notion/index.js";
import { createEventBus } from "../observability/events.js";
import { fileWatermarkStore } from "../state/index.js";
import { fits } from "./schema-check.js";

/**
 * `mapping diff`: what changed in Notion against the mapping, database by database. A property the
 * mapping names that now has another name (the same property id, known from the last sync) is renamed;
 * one found neither by name nor by id is removed; one whose type can no longer fill its column is
 * retyped; a property no column maps is new (or simply unmapped).
 */
export type MappingChange =
  | { readonly database: string; readonly kind: "new"; readonly property: string; readonly type: string }
  | { readonly database: string; readonly kind: "renamed"; readonly property: string; readonly to: string; readonly columns: readonly string[] }
  | { readonly database: string; readonly kind: "removed"; readonly property: string; readonly columns: readonly string[] }
  | { readonly database: string; readonly kind: "retyped"; readonly property: string; readonly type: string; readonly columns: readonly string[] }
  | { readonly database: string; readonly kind: "unreadable"; readonly error: string };

export async function diffMapping(config: AppConfig): Promise<MappingChange[]> {
  const gateway = createNotionGateway({ settings: config.notion, events: createEventBus() });
  const store = fileWatermarkStore(config.watermarkDir);
  const changes: MappingChange[] = [];
  try {
    for (const database of config.mapping.databases) {
      let schema: DataSourceSchema;
      try {
        schema = await resolveDataSource(gateway, database, { count: 0 });
      } catch (error) {
        changes.push({ database: database.key, kind: "unreadable", error: describeError(error) });
        continue;
      }
      const known = (await store.get(database.key).catch(() => undefined))?.propertyIds ?? {};
      changes.push(...compareSchema(database, schema, known));
    }
  } finally {
    await gateway.close();
  }
  return changes;
}

/** The changes of one database: the mapping's properties against the data source's schema now. */
export function compareSchema(database: DatabaseConfig, schema: DataSourceSchema, knownIds: Readonly<Record<string, string>>): MappingChange[] {
  const nameOfId = new Map([...schema.properties].map(([name, p]) => [p.id, name]));
  const mappedNow = new Set<string>();
  const changes: MappingChange[] = [];
  const byProperty = new Map<string, DatabaseConfig["columns"][number][]>();
  for (const column of database.columns) byProperty.set(column.notionProperty, [...(byProperty.get(column.notionProperty) ?? []), column]);
  for (const [property, columns] of byProperty) {
    const names = columns.map((c) => c.name);
    const renamedTo = schema.properties.has(property) ? undefined : nameOfId.get(knownIds[property] ?? "");
    const current = schema.properties.has(property) ? property : renamedTo;
    if (current === undefined) {
      changes.push({ database: database.key, kind: "removed", property, columns: names });
      continue;
    }
    mappedNow.add(current);
    if (renamedTo !== undefined) changes.push({ database: database.key, kind: "renamed", property, to: renamedTo, columns: names });
    const type = schema.properties.get(current)!.type;
    const unfit = columns.filter((c) => !fits(type, c));
    if (unfit.length > 0)
      changes.push({
        database: database.key,
        kind: "retyped",
        property: current,
        type,
        columns: unfit.map((c) => `${c.name} (${formatColumnType(c.type)})`),
      });
  }
  for (const [name, property] of schema.properties)
    if (!mappedNow.has(name)) changes.push({ database: database.key, kind: "new", property: name, type: property.type });
  return changes;
}

/** The properties of a data source that no column maps (by name now, after renames followed by id). */
export function unmappedProperties(database: DatabaseConfig, schema: DataSourceSchema, knownIds: Readonly<Record<string, string>>): string[] {
  return compareSchema(database, schema, knownIds).flatMap((c) => (c.kind === "new" ? [c.property] : []));
}

/** One line per change, for people. */
export function describeChange(change: MappingChange): string {
  const q = JSON.stringify;
  switch (change.kind) {
    case "new":
      return `${change.database}: new      ${q(change.property)} (${change.type}) is not mapped`;
    case "renamed":
      return `${change.database}: renamed  ${q(change.property)} is now ${q(change.to)} (columns ${change.columns.join(", ")}): update notion_property`;
    case "removed":
      return `${change.database}: removed  ${q(change.property)} is gone from Notion (columns ${change.columns.join(", ")})`;
    case "retyped":
      return `${change.database}: retyped  ${q(change.property)} is now a ${change.type} property, which cannot fill ${change.columns.join(", ")}`;
    case "unreadable":
      return `${change.database}: cannot be read: ${change.error}`;
  }
}
