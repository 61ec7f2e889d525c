import type { DatabaseConfig } from "../config/index.js";
import { SyncError } from "../errors.js";
import type { DataSourceSchema } from "../notion/index.js";

/**
 * Resolves each mapped property to its name in the data source now, before anything is written. A
 * property renamed in Notion is followed by its id (known from the last watermark) and reported; a
 * property that is gone fails the database with what to change in the mapping.
 */
export interface PropertyResolution {
  /** Mapped name → current name (only entries that differ are renames). */
  readonly names: ReadonlyMap<string, string>;
  /** Mapped name → property id, saved with the watermark. */
  readonly ids: Readonly<Record<string, string>>;
  readonly renames: readonly { readonly propertyId: string; readonly from: string; readonly to: string; readonly line: number | undefined }[];
}

export function resolveProperties(database: DatabaseConfig, schema: DataSourceSchema, knownIds: Readonly<Record<string, string>>, mappingFile: string): PropertyResolution {
  const byId = new Map<string, string>();
  for (const [name, property] of schema.properties) byId.set(property.id, name);
  const names = new Map<string, string>();
  const ids: Record<string, string> = {};
  const renames: PropertyResolution["renames"][number][] = [];
  const missing: string[] = [];
  for (const column of database.columns) {
    const mapped = column.notionProperty;
    if (names.has(mapped)) continue;
    const direct = schema.properties.get(mapped);
    if (direct) {
      names.set(mapped, mapped);
      ids[mapped] = direct.id;
      continue;
    }
    const knownId = knownIds[mapped];
    const renamedTo = knownId ? byId.get(knownId) : undefined;
    if (knownId && renamedTo) {
      names.set(mapped, renamedTo);
      ids[mapped] = knownId;
      renames.push({ propertyId: knownId, from: mapped, to: renamedTo, line: column.line });
      continue;
    }
    missing.push(`"${mapped}" (column ${column.name}${column.line ? `, ${mappingFile} line ${column.line}` : ""})`);
  }
  if (missing.length > 0) {
    const available = [...schema.properties.keys()].map((n) => `"${n}"`).join(", ");
    throw new SyncError(
      "schema_drift",
      `database "${database.key}": Notion property ${missing.join(", ")} not found in data source "${schema.title}"; update notion_property in the mapping (properties now: ${available})`,
      { context: { databaseKey: database.key } },
    );
  }
  return { names, ids, renames };
}
