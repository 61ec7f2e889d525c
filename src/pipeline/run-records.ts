import type { DatabaseSummary } from "../observability/events.js";
import type { Row } from "../warehouse/index.js";

/** One `ppm_meta.sync_runs` row per database per run. */
export function runRecord(summary: DatabaseSummary): Row {
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

/** A sortable, unique run id: `20261129T123000Z-1a2b3c`. */
export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  return `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}
