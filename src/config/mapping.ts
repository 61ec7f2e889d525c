import type { ColumnType } from "./column-type.js";
import type { Extract, Settings } from "./mapping-schema.js";

/** Validation rules of a column, checked by the row model built from the mapping. */
export interface ColumnRules {
  readonly min?: number | string;
  readonly max?: number | string;
  readonly pattern?: string;
  readonly values?: readonly (string | number | boolean)[];
}

/** One mapped column, validated and normalized. */
export interface ColumnConfig {
  readonly notionProperty: string;
  readonly name: string;
  readonly type: ColumnType;
  readonly required: boolean;
  readonly unique: boolean;
  readonly references: string | undefined;
  readonly extract: Extract | undefined;
  readonly rules: ColumnRules;
  readonly severity: "critical" | "high" | "medium" | "low" | undefined;
  /** 1-based line of the column entry in the mapping file, for messages that say what to change. */
  readonly line: number | undefined;
}

/** One database of the mapping. */
export interface DatabaseConfig {
  readonly key: string;
  /** The database id, normalized to the API's dashed form. */
  readonly databaseId: string;
  /** A specific data source of a multi-source database, when configured. */
  readonly dataSourceId: string | undefined;
  readonly columns: readonly ColumnConfig[];
  /** sha256 of the database's mapping (ids and columns): a change triggers a full resync. */
  readonly mappingHash: string;
}

export interface Mapping {
  readonly file: string;
  readonly settings: Settings;
  readonly databases: readonly DatabaseConfig[];
}

/** `clock_tolerance_minutes` in milliseconds: how far ahead of this machine's clock a time from Notion may be. */
export function clockToleranceMs(settings: Pick<Settings, "clock_tolerance_minutes">): number {
  return settings.clock_tolerance_minutes * 60_000;
}
