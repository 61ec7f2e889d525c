import { SILVER_COLUMNS, type AppConfig } from "../config/index.js";
import { cellText, silverTable, SYNC_RUN_COLUMNS, syncRunsTable, type Row, type SqlSession } from "../warehouse/index.js";
import { checkDatabase } from "./database-checks.js";
import {
  controlRoomStatusTable,
  DEFAULT_SEVERITY,
  dqIssuesHistoryTable,
  dqIssuesTable,
  dqScore,
  severityText,
  type DqCheck,
  type DqIssue,
  type Severity,
} from "./dq-model.js";

export interface DqResult {
  readonly runId: string;
  readonly checkedAt: Date;
  readonly score: number;
  readonly threshold: number;
  readonly issuesTotal: number;
  /** The most severe problems, at most `ISSUES_SHOWN` of them (all are in ppm_gold.dq_issues). */
  readonly issues: readonly DqIssue[];
  readonly checks: readonly DqCheck[];
  readonly freshnessMinutes: number | null;
  readonly databasesFailed: number;
}

export const ISSUES_SHOWN = 200;

/**
 * One data-quality check run over every database of the mapping. The rules run as SQL in the
 * warehouse and write their problems straight into `dq_issues` (emptied first, so fixed problems
 * disappear); the run's problems are then copied to `dq_issues_history`, and one
 * `control_room_status` row records the score and freshness. Memory does not grow with the tables.
 */
export async function runDqChecks(warehouse: SqlSession, config: AppConfig, options: { runId: string; now: Date }): Promise<DqResult> {
  const settings = config.mapping.settings;
  const tables = { issues: dqIssuesTable(settings), history: dqIssuesHistoryTable(settings), status: controlRoomStatusTable(settings) };
  await warehouse.ensureTables([tables.issues, tables.history, tables.status, syncRunsTable(settings)]);
  const issuesTable = warehouse.tableName(tables.issues);
  const columns = tables.issues.columns.map((c) => warehouse.quote(c.name)).join(", ");
  const at = options.now.toISOString();
  const target = { table: issuesTable, columns, runId: options.runId, at };

  const synced = new Set<string>();
  for (const database of config.mapping.databases) if (await warehouse.tableExists(silverTable(database, settings))) synced.add(database.key);

  await warehouse.execute(`DELETE FROM ${issuesTable}`);
  const checks: DqCheck[] = [];
  for (const database of config.mapping.databases) {
    if (synced.has(database.key)) checks.push(...(await checkDatabase(warehouse, database, settings, synced, target)));
  }
  const freshness = await checkFreshness(warehouse, config, options.now);
  checks.push(...freshness.checks);
  const freshnessRows: Row[] = freshness.issues.map((i) => ({
    detected_at: at,
    database_key: i.databaseKey,
    page_id: null,
    column_name: null,
    rule: i.rule,
    severity: severityText(i.severity),
    message: i.message,
    run_id: options.runId,
  }));
  await warehouse.insertRows(tables.issues, freshnessRows);
  await warehouse.execute(`INSERT INTO ${warehouse.tableName(tables.history)} (${columns}) SELECT ${columns} FROM ${issuesTable}`);

  const score = dqScore(checks);
  const [counted] = await warehouse.query(`SELECT count(*) AS n FROM ${issuesTable}`);
  const issuesTotal = Number(counted?.n ?? 0);
  await warehouse.insertRows(tables.status, [
    {
      checked_at: at,
      dq_score: score,
      freshness_minutes: freshness.overallMinutes,
      databases_total: config.mapping.databases.length,
      databases_failed: freshness.failed,
      issues_total: issuesTotal,
      run_id: options.runId,
    },
  ]);
  const issues = await worstIssues(warehouse, issuesTable);
  return {
    runId: options.runId,
    checkedAt: options.now,
    score,
    threshold: settings.dq.threshold,
    issuesTotal,
    issues,
    checks,
    freshnessMinutes: freshness.overallMinutes,
    databasesFailed: freshness.failed,
  };
}

/**
 * A database is stale when its last successful sync is older than `dq.max_staleness_minutes`, or
 * never happened. Freshness weighs as much as the database's rows (each row is that old), so stale
 * data moves the score as much as the same rows failing a rule would.
 */
async function checkFreshness(warehouse: SqlSession, config: AppConfig, now: Date) {
  const settings = config.mapping.settings;
  const runs = warehouse.tableName(syncRunsTable(settings));
  const q = (name: string) => warehouse.quote(name);
  const c = SYNC_RUN_COLUMNS;
  const latest = await warehouse.query(
    `SELECT ${q(c.databaseKey)} AS database_key, max(CASE WHEN ${q(c.status)} = 'success' THEN ${q(c.finishedAt)} END) AS last_success, ` +
      `max_by(${q(c.status)}, ${q(c.finishedAt)}) AS last_status FROM ${runs} GROUP BY 1`,
  );
  const byKey = new Map(latest.map((r) => [String(r.database_key), r]));
  const issues: DqIssue[] = [];
  const checks: DqCheck[] = [];
  const minutes: number[] = [];
  let unknown = false;
  let failed = 0;
  for (const database of config.mapping.databases) {
    const { key } = database;
    const row = byKey.get(key);
    if (row?.last_status === "failed") failed += 1;
    const last = row?.last_success instanceof Date ? row.last_success : row?.last_success ? new Date(cellText(row.last_success)) : null;
    const age = last ? (now.getTime() - last.getTime()) / 60_000 : null;
    if (age === null) unknown = true;
    else minutes.push(age);
    const stale = age === null || age > settings.dq.max_staleness_minutes;
    const message =
      age === null
        ? `${key} has never synced successfully`
        : `${key} last synced successfully ${Math.round(age)} minutes ago (limit ${settings.dq.max_staleness_minutes})`;
    if (stale) issues.push({ databaseKey: key, pageId: null, columnName: null, rule: "freshness", severity: DEFAULT_SEVERITY.freshness, message });
    const silver = silverTable(database, settings);
    const rows = (await warehouse.tableExists(silver))
      ? Number((await warehouse.query(`SELECT count(*) AS n FROM ${warehouse.tableName(silver)} WHERE NOT ${q(SILVER_COLUMNS.isDeleted)}`))[0]?.n ?? 0)
      : 0;
    const weight = Math.max(1, rows);
    checks.push({ databaseKey: key, rule: "freshness", columnName: null, severity: DEFAULT_SEVERITY.freshness, checked: weight, failed: stale ? weight : 0 });
  }
  const overallMinutes = unknown || minutes.length === 0 ? null : Math.round(Math.max(...minutes) * 10) / 10;
  return { issues, checks, overallMinutes, failed };
}

/** The most severe problems found, at most ISSUES_SHOWN of them. */
async function worstIssues(warehouse: SqlSession, issuesTable: string): Promise<DqIssue[]> {
  const shown = await warehouse.query(
    `SELECT database_key, page_id, column_name, rule, severity, message FROM ${issuesTable} ORDER BY severity DESC, database_key, rule, page_id LIMIT ${ISSUES_SHOWN}`,
  );
  return shown.map((r) => ({
    databaseKey: cellText(r.database_key),
    pageId: r.page_id === null ? null : cellText(r.page_id),
    columnName: r.column_name === null ? null : cellText(r.column_name),
    rule: r.rule as DqIssue["rule"],
    severity: cellText(r.severity).replace(/^\d-/, "") as Severity,
    message: cellText(r.message),
  }));
}
