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

/** The columns of `sync_runs`, named once: the table spec, the row writer and its readers take them here. */
export const SYNC_RUN_COLUMNS = {
  runId: "run_id",
  databaseKey: "database_key",
  mode: "mode",
  status: "status",
  startedAt: "started_at",
  finishedAt: "finished_at",
  pagesRead: "pages_read",
  rowsUpserted: "rows_upserted",
  bronzeVersions: "bronze_versions",
  rowsQuarantined: "rows_quarantined",
  notionRequests: "notion_requests",
  watermark: "watermark",
  errorCode: "error_code",
  error: "error",
  // The dependent refresh this database's writes triggered (its requests are in notion_requests too).
  dependentPagesRead: "dependent_pages_read",
  dependentRowsUpserted: "dependent_rows_upserted",
  dependentDeferred: "dependent_deferred",
  dependentRequests: "dependent_requests",
} as const;

export function syncRunsTable(settings: Settings): TableSpec {
  const c = SYNC_RUN_COLUMNS;
  return {
    schema: settings.schemas.meta,
    name: "sync_runs",
    key: [c.runId, c.databaseKey],
    columns: [
      col(c.runId, STRING),
      col(c.databaseKey, STRING),
      col(c.mode, STRING),
      col(c.status, STRING),
      col(c.startedAt, TIMESTAMP),
      col(c.finishedAt, TIMESTAMP),
      col(c.pagesRead, BIGINT),
      col(c.rowsUpserted, BIGINT),
      col(c.bronzeVersions, BIGINT),
      col(c.rowsQuarantined, BIGINT),
      col(c.notionRequests, BIGINT),
      col(c.watermark, TIMESTAMP),
      col(c.errorCode, STRING),
      col(c.error, STRING),
      col(c.dependentPagesRead, BIGINT),
      col(c.dependentRowsUpserted, BIGINT),
      col(c.dependentDeferred, BIGINT),
      col(c.dependentRequests, BIGINT),
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
  const c = SYNC_RUN_COLUMNS;
  return {
    [c.runId]: summary.runId,
    [c.databaseKey]: summary.databaseKey,
    [c.mode]: summary.mode,
    [c.status]: summary.status,
    [c.startedAt]: summary.startedAt.toISOString(),
    [c.finishedAt]: summary.finishedAt.toISOString(),
    [c.pagesRead]: summary.pagesRead,
    [c.rowsUpserted]: summary.rowsUpserted,
    [c.bronzeVersions]: summary.bronzeVersions,
    [c.rowsQuarantined]: summary.rowsQuarantined,
    [c.notionRequests]: summary.notionRequests,
    [c.dependentPagesRead]: summary.dependentRefresh?.pagesRead ?? 0,
    [c.dependentRowsUpserted]: summary.dependentRefresh?.rowsUpserted ?? 0,
    [c.dependentDeferred]: summary.dependentRefresh?.deferred ?? 0,
    [c.dependentRequests]: summary.dependentRefresh?.requests ?? 0,
    [c.watermark]: summary.watermark,
    [c.errorCode]: summary.errorCode,
    [c.error]: summary.error,
  };
}
