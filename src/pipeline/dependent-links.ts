import type { ColumnConfig, DatabaseConfig } from "../config/index.js";
import type { DataSourceSchema, SchemaProperty } from "../notion/index.js";

/**
 * Which silver columns tie the pages of a database A, whose rollup or formula columns may depend on
 * another database B, to B's pages. Worked out from the Notion schemas (relation targets, the
 * relation each rollup rolls up through) and the mapping, without a request.
 */
export interface DependentLink {
  /** A: the database whose computed columns may have changed. */
  readonly dependent: DatabaseConfig;
  /** A's columns holding ids of B's pages (A's relations toward B). */
  readonly dependentColumns: readonly ColumnConfig[];
  /** B's columns holding ids of A's pages (B's side of a two-way relation with A). */
  readonly changedColumns: readonly ColumnConfig[];
}

export interface MappedSchema {
  readonly database: DatabaseConfig;
  readonly schema: DataSourceSchema;
  /** Mapped property name → property id, as the database's watermark remembers them (renames). */
  readonly knownIds: Readonly<Record<string, string>>;
}

/**
 * The link from `changed` (B) to `candidate` (A), or undefined when A has no rollup or formula
 * column depending on B. A rollup column depends on B when the relation it rolls up through points
 * to B; a formula column may read any relation (its expression is opaque), so every relation between
 * A and B counts for it. The ids come from A's mapped relation columns toward B and from B's mapped
 * relation columns toward A (either side may be the one mapped).
 */
export function dependentLink(changed: MappedSchema, candidate: MappedSchema): DependentLink | undefined {
  const b = changed.schema.dataSourceId;
  const a = candidate.schema.dataSourceId;
  if (a === b) return undefined;
  const computed = candidate.database.columns
    .map((c) => propertyOf(c, candidate))
    .filter((p): p is SchemaProperty => p?.type === "rollup" || p?.type === "formula");
  const relevant = new Set<string>();
  for (const relation of [...candidate.schema.properties.entries()].filter(([, p]) => p.relation?.dataSourceId === b)) {
    const reading = readersOf(candidate.schema, relation);
    if (computed.some((p) => reading.has(p.id))) relevant.add(relation[1].id);
  }
  if (relevant.size === 0) return undefined;
  const dependentColumns = idColumns(candidate, (p) => relevant.has(p.id));
  // B's side of a two-way relation mirrors A's; a one-way relation from B is invisible to A's values.
  const changedColumns = idColumns(changed, (p) => p.relation?.dataSourceId === a && relevant.has(p.relation.syncedPropertyId ?? ""));
  if (dependentColumns.length === 0 && changedColumns.length === 0) return undefined;
  return { dependent: candidate.database, dependentColumns, changedColumns };
}

/**
 * The properties whose values depend on a relation: the rollups through it, and the formulas whose
 * expression names it or one of those (by id, as the API writes references, or `prop("Name")`),
 * transitively. A formula without an expression is taken to read everything.
 */
function readersOf(schema: DataSourceSchema, [relationName, relation]: [string, SchemaProperty]): Set<string> {
  const readers = new Map<string, string>([[relation.id, relationName]]);
  const all = [...schema.properties.entries()];
  for (const [name, p] of all) if (p.type === "rollup" && p.rollupRelationId === relation.id) readers.set(p.id, name);
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, p] of all) {
      if (p.type !== "formula" || readers.has(p.id)) continue;
      if (p.expression === undefined || [...readers].some(([id, n]) => names(p.expression!, id, n))) {
        readers.set(p.id, name);
        grew = true;
      }
    }
  }
  return new Set(readers.keys());
}

function names(expression: string, id: string, name: string): boolean {
  return expression.includes(`prop("${name}")`) || expression.includes(id) || expression.includes(safeDecode(id));
}

function safeDecode(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch (error) {
    if (error instanceof URIError) return id;
    throw error;
  }
}

/** Mapped columns that hold the page ids of a relation property matching `test`. */
function idColumns(mapped: MappedSchema, test: (property: SchemaProperty) => boolean): ColumnConfig[] {
  return mapped.database.columns.filter((c) => {
    const property = propertyOf(c, mapped);
    const holdsIds = c.extract === undefined && (c.type.kind === "string" || c.type.kind === "array_string");
    return holdsIds && property?.type === "relation" && test(property);
  });
}

/** The schema property a column reads: by its mapped name, else by the id remembered for it (a rename). */
function propertyOf(column: ColumnConfig, mapped: MappedSchema): SchemaProperty | undefined {
  const direct = mapped.schema.properties.get(column.notionProperty);
  if (direct) return direct;
  const id = mapped.knownIds[column.notionProperty];
  return id === undefined ? undefined : [...mapped.schema.properties.values()].find((p) => p.id === id);
}
