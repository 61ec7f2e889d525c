import type { DatabaseSummary } from "../observability/events.js";
import { syncRunRow, syncRunsTable } from "../warehouse/index.js";
import type { RunContext } from "./run-context.js";
import type { ErrorCode } from "../errors.js";

/** Why a database is not synced this time (status `skipped`), e.g. a failure backoff. */
export interface SkipReason {
  readonly code: ErrorCode;
  readonly reason: string;
}

/** A sortable, unique run id: `20261129T123000Z-1a2b3c`. */
export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  return `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}

/** One `ppm_meta.sync_runs` row for the database just done; a failure to write it is logged, never fatal. */
export async function recordRun(ctx: RunContext, summary: DatabaseSummary): Promise<void> {
  if (!ctx.warehouse) return;
  await ctx.warehouse.insertRows(syncRunsTable(ctx.config.mapping.settings), [syncRunRow(summary)]).catch((error: unknown) => {
    ctx.logger.error({ err: error, databaseKey: summary.databaseKey }, "could not write the run record");
  });
}

/** The record of a database the run did not attempt, with the reason. */
export function skipped(ctx: RunContext, databaseKey: string, { code, reason }: SkipReason): DatabaseSummary {
  const at = ctx.now();
  return {
    runId: ctx.runId,
    databaseKey,
    mode: ctx.full ? "full" : "incremental",
    status: "skipped",
    startedAt: at,
    finishedAt: at,
    pagesRead: 0,
    rowsUpserted: 0,
    bronzeVersions: 0,
    rowsQuarantined: 0,
    notionRequests: 0,
    watermark: null,
    error: reason,
    errorCode: code,
  };
}
