import { BRONZE_COLUMNS as B, SILVER_COLUMNS as S, type ColumnType, type DatabaseConfig, type Settings } from "../config/index.js";
import type { DatabaseSummary } from "../observability/events.js";
import type { ColumnSpec, Row, TableSpec } from "./table-spec.js";

/**
 * The sync's own tables, in one place: bronze and silver of each database (their system columns
 * named in config/system-columns.ts), `sync_runs`, the quarantine log and the reconcile's seen ids,
 * with their schemas from the mapping's settings. Whoever reads or writes them takes their names here.
 */
const STRING: ColumnType = { kind: "string" };
const TIMESTAMP: ColumnType = { kind: "timestamp" };
const BIGINT: ColumnType = { kind: "bigint" };
const BOOLEAN: ColumnType = { kind: "boolean" };
const col = (name: string, type: ColumnType): ColumnSpec => ({ name, type });

export function bronzeTable(database: DatabaseConfig, settings: Settings): TableSpec {
  return {
    schema: settings.schemas.bronze,
    name: `notion_${database.key}`,
    key: [B.pageId, B.rowHash],
    columns: [
      col(B.pageId, STRING),
      col(B.lastEditedTime, TIMESTAMP),
      col(B.pageJson, STRING),
      col(B.rowHash, STRING),
      col(B.ingestedAt, TIMESTAMP),
      col(B.runId, STRING),
    ],
  };
}

export function silverTable(database: DatabaseConfig, settings: Settings): TableSpec {
  return {
    schema: settings.schemas.silver,
    name: database.key,
    key: [S.pageId],
    columns: [
      col(S.pageId, STRING),
      ...database.columns.map((c) => col(c.name, c.type)),
      col(S.createdTime, TIMESTAMP),
      col(S.lastEditedTime, TIMESTAMP),
      col(S.url, STRING),
      col(S.isDeleted, BOOLEAN),
      col(S.deletedAt, TIMESTAMP),
      col(S.rowHash, STRING),
      col(S.syncedAt, TIMESTAMP),
      col(S.runId, STRING),
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

/**
 * Each database's watermark, the copy that travels with the data (`watermarks/<key>.json` is the
 * local copy): the time and identity in columns people can read, the whole record as JSON.
 */
export function watermarksTable(settings: Settings): TableSpec {
  return {
    schema: settings.schemas.meta,
    name: "watermarks",
    key: ["database_key"],
    columns: [
      col("database_key", STRING),
      col("last_edited_time", TIMESTAMP),
      col("run_id", STRING),
      col("data_source_id", STRING),
      col("mapping_hash", STRING),
      col("watermark_json", STRING),
      col("updated_at", TIMESTAMP),
    ],
  };
}

/** Who syncs each database now, across hosts (where the engine needs it: `capabilities.leases`), and until when. */
export function leasesTable(settings: Settings): TableSpec {
  return {
    schema: settings.schemas.meta,
    name: "sync_leases",
    key: ["database_key"],
    columns: [
      col("database_key", STRING),
      col("owner", STRING),
      col("run_id", STRING),
      col("host", STRING),
      col("taken_at", TIMESTAMP),
      col("expires_at", TIMESTAMP),
    ],
  };
}

export const SEEN_COLUMNS = { runId: "run_id", databaseKey: "database_key", pageId: "page_id" } as const;

/** Page ids read by a full pass, per run: what the reconcile compares silver with (ids only, bounded). */
export function seenPagesTable(settings: Settings): TableSpec {
  const c = SEEN_COLUMNS;
  return {
    schema: settings.schemas.meta,
    name: "seen_pages",
    key: [c.runId, c.databaseKey, c.pageId],
    columns: [col(c.runId, STRING), col(c.databaseKey, STRING), col(c.pageId, STRING)],
  };
}

/** One `sync_runs` row per database per run. */
export function syncRunRow(summary: DatabaseSummary): Row {
  return {
    run_id: summary.runId,
    database_key: summary.databaseKey,
    mode: summary.mode,
    status: summary.status,
    started_at: summary.startedAt.toISOString(),
    finished_at: summary.finishedAt.toISOString(),
    pages_read: summary.pagesRead,
    rows_upserted: summary.rowsUpserted,
    bronze_versions: summary.bronzeVersions,
    rows_quarantined: summary.rowsQuarantined,
    notion_requests: summary.notionRequests,
    dependent_pages_read: summary.dependentRefresh?.pagesRead ?? 0,
    dependent_rows_upserted: summary.dependentRefresh?.rowsUpserted ?? 0,
    dependent_deferred: summary.dependentRefresh?.deferred ?? 0,
    dependent_requests: summary.dependentRefresh?.requests ?? 0,
    watermark: summary.watermark,
    error_code: summary.errorCode,
    error: summary.error,
  };
}
