import type { ColumnType, DatabaseConfig, Settings } from "../config/index.js";

/**
 * Tables as data: what every dialect creates and writes. Names are validated identifiers (the
 * mapping's keys and column names); quoting is the dialect's, in one place.
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

const STRING: ColumnType = { kind: "string" };
const TIMESTAMP: ColumnType = { kind: "timestamp" };
const BIGINT: ColumnType = { kind: "bigint" };
const BOOLEAN: ColumnType = { kind: "boolean" };
const col = (name: string, type: ColumnType): ColumnSpec => ({ name, type });

export function bronzeTable(database: DatabaseConfig, settings: Settings): TableSpec {
  return {
    schema: settings.schemas.bronze,
    name: `notion_${database.key}`,
    key: ["page_id", "_row_hash"],
    columns: [col("page_id", STRING), col("last_edited_time", TIMESTAMP), col("page_json", STRING), col("_row_hash", STRING), col("_ingested_at", TIMESTAMP), col("_run_id", STRING)],
  };
}

export function silverTable(database: DatabaseConfig, settings: Settings): TableSpec {
  return {
    schema: settings.schemas.silver,
    name: database.key,
    key: ["page_id"],
    columns: [
      col("page_id", STRING),
      ...database.columns.map((c) => col(c.name, c.type)),
      col("created_time", TIMESTAMP),
      col("last_edited_time", TIMESTAMP),
      col("url", STRING),
      col("_is_deleted", BOOLEAN),
      col("_deleted_at", TIMESTAMP),
      col("_row_hash", STRING),
      col("_synced_at", TIMESTAMP),
      col("_run_id", STRING),
    ],
  };
}

export function syncRunsTable(settings: Settings): TableSpec {
  return {
    schema: settings.schemas.meta,
    name: "sync_runs",
    key: ["run_id", "database_key"],
    columns: [
      col("run_id", STRING),
      col("database_key", STRING),
      col("mode", STRING),
      col("status", STRING),
      col("started_at", TIMESTAMP),
      col("finished_at", TIMESTAMP),
      col("pages_read", BIGINT),
      col("rows_upserted", BIGINT),
      col("bronze_versions", BIGINT),
      col("rows_quarantined", BIGINT),
      col("notion_requests", BIGINT),
      col("watermark", TIMESTAMP),
      col("error_code", STRING),
      col("error", STRING),
      // The dependent refresh this database's writes triggered (its requests are in notion_requests too).
      col("dependent_pages_read", BIGINT),
      col("dependent_rows_upserted", BIGINT),
      col("dependent_deferred", BIGINT),
      col("dependent_requests", BIGINT),
    ],
  };
}

/** Values the row model rejected, one row per page, column and rule, per run (a log, never updated). */
export function quarantineTable(settings: Settings): TableSpec {
  return {
    schema: settings.schemas.meta,
    name: "quarantine",
    key: ["run_id", "database_key", "page_id", "column_name", "rule"],
    columns: [
      col("detected_at", TIMESTAMP),
      col("run_id", STRING),
      col("database_key", STRING),
      col("page_id", STRING),
      col("last_edited_time", TIMESTAMP),
      col("column_name", STRING),
      col("rule", STRING),
      col("value", STRING),
      col("message", STRING),
      col("action", STRING),
    ],
  };
}

/** Page ids read by a full pass, per run: what the reconcile compares silver with (ids only, bounded). */
export function seenPagesTable(settings: Settings): TableSpec {
  return { schema: settings.schemas.meta, name: "seen_pages", key: ["run_id", "database_key", "page_id"], columns: [col("run_id", STRING), col("database_key", STRING), col("page_id", STRING)] };
}
