import type { Settings } from "../../config/index.js";
import { controlRoomStatusTable, dqIssuesTable } from "../../quality/index.js";
import { describeHolder } from "../../state/index.js";
import { syncRunsTable } from "../../warehouse/index.js";
import type { DatabaseKpi, WorkerStatus } from "../status.js";
import type { CachedState } from "../warehouse-reads.js";
import { fixFor } from "./fix-hints.js";
import type { WarehouseView } from "./queries.js";
import type { RunGroup } from "./recent-runs.js";

/**
 * What the Control Room shows, decided apart from how it is drawn: the overall state and why, one
 * entry per database, the data-quality score, and what was read from the warehouse. Freshness comes
 * from the same computation as GET /api/kpis, so the page and the runbook's `curl` never disagree.
 */
export type OverallState = "ok" | "stale" | "failing";

export interface DatabaseView {
  readonly key: string;
  /** null: never synced successfully. */
  readonly freshnessMinutes: number | null;
  readonly stale: boolean;
  readonly lastSuccessAt: Date | null;
  readonly lastRunAt: Date | null;
  readonly lastStatus: DatabaseKpi["lastStatus"];
  readonly error: string | null;
  readonly fix: string | undefined;
  readonly pages: number;
  readonly rows: number;
  readonly consecutiveFailures: number;
  /** Ticks it still sits out after failures in a row. */
  readonly backoffTicks: number;
  readonly watermark: string | null;
}

export interface ControlRoomView {
  readonly now: Date;
  readonly state: OverallState;
  /** Why the state is not ok, one line each. */
  readonly reasons: readonly string[];
  readonly freshnessMinutes: number | null;
  readonly limitMinutes: number;
  readonly running: boolean;
  readonly lastRunAt: Date | null;
  readonly nextRunAt: Date | null;
  readonly lastRunError: string | null;
  readonly lockBlocked: string | undefined;
  readonly databases: readonly DatabaseView[];
  readonly dqScore: number | null;
  readonly threshold: number;
  readonly warehouse: CachedState<WarehouseView>;
  readonly runs: readonly RunGroup[];
  /** The page reloads itself this often. */
  readonly refreshSeconds: number;
  /** The tables the page reads, as `schema.table`, for the SQL it suggests. */
  readonly tables: { readonly issues: string; readonly trend: string; readonly runs: string };
}

export interface ViewInputs {
  readonly now: Date;
  readonly settings: Settings;
  readonly status: WorkerStatus;
  readonly backoffTicks: (key: string) => number;
  readonly nextRunAt: Date | null;
  readonly warehouse: CachedState<WarehouseView>;
  readonly runs: readonly RunGroup[];
}

export const REFRESH_SECONDS = 30;

export function buildView(inputs: ViewInputs): ControlRoomView {
  const { now, settings, status } = inputs;
  const kpis = status.toJson(now.getTime());
  const limitMinutes = settings.dq.max_staleness_minutes;
  const databases = [...status.databases].map(([key, db]): DatabaseView => {
    const freshnessMinutes = kpis.databases[key]?.freshness_minutes ?? null;
    return {
      key,
      freshnessMinutes,
      stale: freshnessMinutes === null || freshnessMinutes > limitMinutes,
      lastSuccessAt: db.lastSuccessAt,
      lastRunAt: db.lastRunAt,
      lastStatus: db.lastStatus,
      error: db.lastError,
      fix: db.lastStatus === "success" ? undefined : fixFor(db.lastErrorCode),
      pages: db.pages,
      rows: db.rows,
      consecutiveFailures: db.consecutiveFailures,
      backoffTicks: inputs.backoffTicks(key),
      watermark: db.watermark,
    };
  });
  const lockBlocked = status.lockBlocked
    ? `scheduled runs skipped since ${status.lockBlocked.since}: the run lock is held by ${describeHolder(status.lockBlocked.holder)}`
    : undefined;
  const { state, reasons } = judge(databases, status.lastRunError, lockBlocked, limitMinutes);
  const runTimes = databases.map((d) => d.lastRunAt?.getTime() ?? 0).filter((t) => t > 0);
  return {
    now,
    state,
    reasons,
    freshnessMinutes: kpis.freshness_minutes,
    limitMinutes,
    running: status.running,
    lastRunAt: runTimes.length > 0 ? new Date(Math.max(...runTimes)) : null,
    nextRunAt: inputs.nextRunAt,
    lastRunError: status.lastRunError,
    lockBlocked,
    databases,
    dqScore: status.dqScore,
    threshold: settings.dq.threshold,
    warehouse: inputs.warehouse,
    runs: inputs.runs,
    refreshSeconds: REFRESH_SECONDS,
    tables: { issues: named(dqIssuesTable(settings)), trend: named(controlRoomStatusTable(settings)), runs: named(syncRunsTable(settings)) },
  };
}

/** Failing: a database's last sync failed or a run could not start. Stale: a database is older than the limit (the runbook's P2). */
function judge(databases: readonly DatabaseView[], lastRunError: string | null, lockBlocked: string | undefined, limit: number) {
  const reasons: string[] = [];
  for (const d of databases) if (d.lastStatus === "failed") reasons.push(`${d.key}: the last sync failed`);
  if (lastRunError !== null) reasons.push(`the last run could not start: ${lastRunError}`);
  const failing = reasons.length > 0;
  for (const d of databases)
    if (d.stale) reasons.push(d.freshnessMinutes === null ? `${d.key}: never synced` : `${d.key}: last synced ${d.freshnessMinutes} min ago (limit ${limit})`);
  if (lockBlocked) reasons.push(lockBlocked);
  const state: OverallState = failing ? "failing" : databases.some((d) => d.stale) ? "stale" : "ok";
  return { state, reasons };
}

const named = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;
