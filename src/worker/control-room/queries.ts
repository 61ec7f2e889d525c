import type { Settings } from "../../config/index.js";
import { controlRoomStatusTable, dqIssuesTable } from "../../quality/index.js";
import { cellText, syncRunsTable, type SqlSession, type TableSpec } from "../../warehouse/index.js";

/**
 * What the Control Room reads from the warehouse, in at most six statements (four once the tables
 * are known to exist): the data-quality trend of the last 7 days from `control_room_status`, the
 * worst current problems and their count by severity from `dq_issues`, and the records of the last 20
 * runs from `sync_runs`. Tables are named by their specs; values travel as parameters.
 */
export const TREND_DAYS = 7;
export const PROBLEMS_SHOWN = 20;
export const RUNS_SHOWN = 20;
/** More checks than this in 7 days (a schedule of seconds) are cut to the newest. */
const TREND_ROWS_READ = 2_000;

export interface TrendPoint {
  readonly at: Date;
  readonly score: number;
}

/** One row of `dq_issues`. */
export interface Problem {
  readonly databaseKey: string;
  /** null for a database-level rule (freshness). */
  readonly pageId: string | null;
  readonly columnName: string | null;
  readonly rule: string;
  /** `critical`, `high`, `medium` or `low` (the table's `4-critical` without its rank). */
  readonly severity: string;
  readonly message: string;
}

/** One row of `sync_runs` (one database in one run), or a run that failed before any database (`databaseKey` null). */
export interface RunRecord {
  readonly runId: string;
  readonly databaseKey: string | null;
  readonly mode: string | null;
  readonly status: string;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly pagesRead: number;
  readonly rowsUpserted: number;
  readonly rowsQuarantined: number;
  readonly notionRequests: number;
  readonly errorCode: string | null;
  readonly error: string | null;
}

export interface WarehouseView {
  /** Oldest first; null where the table does not exist yet (no check has run). */
  readonly trend: readonly TrendPoint[] | null;
  readonly problems: readonly Problem[] | null;
  /** Problems by severity, all of them (not only those shown). */
  readonly problemCounts: Readonly<Record<string, number>>;
  readonly runs: readonly RunRecord[];
}

export class ControlRoomQueries {
  /** Tables seen to exist are not asked about again (each question is a statement on Databricks). */
  readonly #existing = new Set<string>();

  constructor(private readonly settings: Settings) {}

  async read(session: SqlSession, now: Date): Promise<WarehouseView> {
    const status = controlRoomStatusTable(this.settings);
    const issues = dqIssuesTable(this.settings);
    const runs = syncRunsTable(this.settings);
    const trend = (await this.exists(session, status)) ? await readTrend(session, status, now) : null;
    const problems = (await this.exists(session, issues)) ? await readProblems(session, issues) : null;
    return {
      trend,
      problems: problems?.shown ?? null,
      problemCounts: problems?.counts ?? {},
      runs: (await this.exists(session, runs)) ? await readRuns(session, runs) : [],
    };
  }

  private async exists(session: SqlSession, table: TableSpec): Promise<boolean> {
    const name = `${table.schema}.${table.name}`;
    if (this.#existing.has(name)) return true;
    const exists = await session.tableExists(table);
    if (exists) this.#existing.add(name);
    return exists;
  }
}

async function readTrend(session: SqlSession, table: TableSpec, now: Date): Promise<TrendPoint[]> {
  const q = (identifier: string) => session.quote(identifier);
  const since = new Date(now.getTime() - TREND_DAYS * 86_400_000).toISOString();
  const rows = await session.query(
    `SELECT ${q("checked_at")} AS at, ${q("dq_score")} AS score FROM ${session.tableName(table)} ` +
      `WHERE ${q("checked_at")} >= CAST(${session.functions.param("since")} AS TIMESTAMP) ORDER BY ${q("checked_at")} DESC LIMIT ${TREND_ROWS_READ}`,
    { since },
  );
  return rows
    .map((r) => ({ at: dateOf(r.at), score: Number(r.score) }))
    .filter((p): p is TrendPoint => p.at !== null && Number.isFinite(p.score))
    .reverse();
}

async function readProblems(session: SqlSession, table: TableSpec): Promise<{ shown: Problem[]; counts: Record<string, number> }> {
  const q = (identifier: string) => session.quote(identifier);
  const name = session.tableName(table);
  const shown = await session.query(
    `SELECT ${["database_key", "page_id", "column_name", "rule", "severity", "message"].map(q).join(", ")} FROM ${name} ` +
      `ORDER BY ${q("severity")} DESC, ${q("database_key")}, ${q("rule")}, ${q("page_id")} LIMIT ${PROBLEMS_SHOWN}`,
  );
  const counted = await session.query(`SELECT ${q("severity")} AS severity, count(*) AS n FROM ${name} GROUP BY ${q("severity")}`);
  const counts: Record<string, number> = {};
  for (const r of counted) counts[severityName(r.severity)] = Number(r.n);
  return {
    counts,
    shown: shown.map((r) => ({
      databaseKey: cellText(r.database_key),
      pageId: textOf(r.page_id),
      columnName: textOf(r.column_name),
      rule: cellText(r.rule),
      severity: severityName(r.severity),
      message: cellText(r.message),
    })),
  };
}

/** Every database's record of the last RUNS_SHOWN runs (by when each run's last database finished). */
async function readRuns(session: SqlSession, table: TableSpec): Promise<RunRecord[]> {
  const q = (identifier: string) => session.quote(identifier);
  const name = session.tableName(table);
  const columns = ["run_id", "database_key", "mode", "status", "started_at", "finished_at", "pages_read", "rows_upserted", "rows_quarantined"];
  const rows = await session.query(
    `SELECT ${[...columns, "notion_requests", "error_code", "error"].map((c) => `r.${q(c)}`).join(", ")} FROM ${name} r ` +
      `JOIN (SELECT ${q("run_id")} AS id, max(${q("finished_at")}) AS last_at FROM ${name} GROUP BY ${q("run_id")} ORDER BY last_at DESC LIMIT ${RUNS_SHOWN}) t ` +
      `ON r.${q("run_id")} = t.id`,
  );
  return rows.map((r) => ({
    runId: cellText(r.run_id),
    databaseKey: textOf(r.database_key),
    mode: textOf(r.mode),
    status: cellText(r.status),
    startedAt: dateOf(r.started_at),
    finishedAt: dateOf(r.finished_at),
    pagesRead: Number(r.pages_read ?? 0),
    rowsUpserted: Number(r.rows_upserted ?? 0),
    rowsQuarantined: Number(r.rows_quarantined ?? 0),
    notionRequests: Number(r.notion_requests ?? 0),
    errorCode: textOf(r.error_code),
    error: textOf(r.error),
  }));
}

const severityName = (value: unknown) => cellText(value).replace(/^\d-/, "");

function textOf(value: unknown): string | null {
  return value === null || value === undefined ? null : cellText(value);
}

/** A TIMESTAMP cell: a Date from DuckDB, text from Databricks (UTC, with or without its zone). */
function dateOf(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  const text = cellText(value);
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(" ", "T")}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}
