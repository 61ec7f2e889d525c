import type { ColumnType } from "../config/index.js";

/**
 * Tables as data: what every dialect creates and writes (the sync's own tables are in
 * `sync-tables.ts`). Names are validated identifiers (the mapping's keys and column names); quoting is
 * the dialect's, in one place.
 */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

export interface TableSpec {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  /** Columns that identify a row for MERGE. */
  readonly key: readonly string[];
}

/** A row to write: values by column name (DECIMAL as string, DATE/TIMESTAMP as ISO text). */
export type Row = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;
