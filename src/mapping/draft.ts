import type { DiscoveredSource, PropertyAnswer } from "../notion/index.js";
import { deriveColumns, type ColumnDraft } from "./derive.js";
import { columnScope, idVariable, NameScope, snakeCase } from "./names.js";

/** A mapping draft: one database per data source, in the order written. */
export interface MappingDraft {
  readonly databases: readonly DatabaseDraft[];
}

export interface DatabaseDraft {
  readonly key: string;
  readonly title: string;
  readonly databaseId: string;
  readonly dataSourceId: string;
  /** `database_id`'s variable, and `data_source_id`'s when the database holds several data sources. */
  readonly variables: { readonly database: string; readonly dataSource?: string };
  readonly columns: readonly (ColumnDraft & { readonly references?: string })[];
  /** Properties without a column, with the reason. */
  readonly skipped: readonly { readonly property: string; readonly reason: string }[];
}

export interface DraftOptions {
  readonly emails: boolean;
}

/**
 * Derives a complete mapping from the data sources: keys from their titles, one column (or two: a range's
 * end, people's e-mails) per property in Notion's order, names snake_cased and unique, references where a
 * relation's target is in the draft too.
 */
export function draftMapping(sources: readonly DiscoveredSource[], options: DraftOptions): MappingDraft {
  const keys = new NameScope(["settings"]);
  const keyOf = new Map(sources.map((s) => [s.dataSourceId, keys.claim(snakeCase(s.title, "database"))]));
  const byId = new Map(sources.map((s) => [s.dataSourceId, s]));
  const databases = sources.map((source) => {
    const key = keyOf.get(source.dataSourceId)!;
    const scope = columnScope();
    const columns: DatabaseDraft["columns"][number][] = [];
    const skipped: DatabaseDraft["skipped"][number][] = [];
    const rolledUp = rolledUpLookup(source, byId);
    for (const [name, property] of ordered(source.properties)) {
      const derived = deriveColumns(name, property, source.samples, { emails: options.emails, rolledUp });
      if (typeof derived === "string") {
        skipped.push({ property: name, reason: derived });
        continue;
      }
      for (const column of derived) {
        const references = column.target ? keyOf.get(column.target) : undefined;
        columns.push({ ...column, name: scope.claim(column.name), ...(references ? { references } : {}) });
      }
    }
    const variables = {
      database: idVariable(key, "DB"),
      ...(source.oneOfSeveral ? { dataSource: idVariable(key, "DS") } : {}),
    };
    return { key, title: source.title, databaseId: source.databaseId, dataSourceId: source.dataSourceId, variables, columns, skipped };
  });
  return { databases };
}

/** The title first, then the properties in the order Notion lists them. */
function ordered(properties: Readonly<Record<string, PropertyAnswer>>): [string, PropertyAnswer][] {
  const entries = Object.entries(properties);
  return [...entries.filter(([, p]) => p.type === "title"), ...entries.filter(([, p]) => p.type !== "title")];
}

/** Finds a rollup's rolled-up property in the related data source (when it is among those read). */
function rolledUpLookup(source: DiscoveredSource, byId: ReadonlyMap<string, DiscoveredSource>) {
  return (relationPropertyId: string | undefined, wanted: { id?: string; name?: string }): PropertyAnswer | undefined => {
    const relation = Object.values(source.properties).find((p) => p.id === relationPropertyId);
    const target = relation?.relation?.data_source_id ? byId.get(relation.relation.data_source_id) : undefined;
    if (!target) return undefined;
    return Object.entries(target.properties).find(([name, p]) => p.id === wanted.id || name === wanted.name)?.[1];
  };
}
