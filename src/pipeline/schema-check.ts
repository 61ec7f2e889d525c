import { formatColumnType, type ColumnConfig, type DatabaseConfig } from "../config/index.js";
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

export function resolveProperties(
  database: DatabaseConfig,
  schema: DataSourceSchema,
  knownIds: Readonly<Record<string, string>>,
  mappingFile: string,
): PropertyResolution {
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
  const incompatible = database.columns.flatMap((column) => {
    const type = schema.properties.get(names.get(column.notionProperty) ?? "")?.type;
    return type && !fits(type, column)
      ? [
          `"${column.notionProperty}" is a ${type} property, which cannot fill column ${column.name} (${formatColumnType(column.type)}${column.extract ? `, extract ${column.extract}` : ""})${column.line ? ` at ${mappingFile} line ${column.line}` : ""}`,
        ]
      : [];
  });
  if (incompatible.length > 0) {
    throw new SyncError("schema_drift", `database "${database.key}": ${incompatible.join("; ")}; change the column_type or notion_property in the mapping`, {
      context: { databaseKey: database.key },
    });
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

/** Property types whose values can fill each kind of column (formulas and rollups are checked per value). */
const COMPUTED = ["formula", "rollup"];
const NUMERIC = ["number", "unique_id", ...COMPUTED];
const TEMPORAL = ["date", "created_time", "last_edited_time", ...COMPUTED];
const READABLE = new Set([
  "title",
  "rich_text",
  "number",
  "select",
  "multi_select",
  "status",
  "date",
  "checkbox",
  "url",
  "email",
  "phone_number",
  "people",
  "created_by",
  "last_edited_by",
  "relation",
  "files",
  "unique_id",
  "formula",
  "rollup",
  "created_time",
  "last_edited_time",
]);

export function fits(propertyType: string, column: ColumnConfig): boolean {
  if (!READABLE.has(propertyType)) return false;
  switch (column.type.kind) {
    case "string":
    case "array_string":
      return true;
    case "int":
    case "bigint":
    case "double":
    case "decimal":
      return NUMERIC.includes(propertyType);
    case "boolean":
      return propertyType === "checkbox" || COMPUTED.includes(propertyType);
    case "date":
    case "timestamp":
      return TEMPORAL.includes(propertyType);
  }
}
