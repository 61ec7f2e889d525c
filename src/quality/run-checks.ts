import type { AppConfig } from "../config/index.js";
import { silverTable, syncRunsTable, type Row, type Warehouse } from "../warehouse/index.js";
import { checkDatabase } from "./database-checks.js";
import { controlRoomStatusTable, DEFAULT_SEVERITY, dqIssuesHistoryTable, dqIssuesTable, dqScore, severityText, type DqCheck, type DqIssue } from "./dq-model.js";

export interface DqResult {
  readonly runId: string;
  readonly checkedAt: Date;
  readonly score: number;
  readonly threshold: number;
  readonly issues: readonly DqIssue[];
  readonly checks: readonly DqCheck[];
  readonly freshnessMinutes: number | null;
  readonly databasesFailed: number;
}

/**
 * One data-quality check run over every database of the mapping: the rules run as SQL in the
 * warehouse; the problems replace `dq_issues` (so fixed problems disappear) and are appended to
 * `dq_issues_history`; one `control_room_status` row records the score and freshness.
 */
export async function runDqChecks(warehouse: Warehouse, config: AppConfig, options: { runId: string; now: Date }): Promise<DqResult> {
  const settings = config.mapping.settings;
  const tables = { issues: dqIssuesTable(settings), history: dqIssuesHistoryTable(settings), status: controlRoomStatusTable(settings) };
  await warehouse.ensureTables([tables.issues, tables.history, tables.status, syncRunsTable(settings)]);
  const present = new Set<string>();
  for (const database of config.mapping.databases) {
    if (await warehouse.tableExists(silverTable(database, settings))) present.add(database.key);
  }

  const issues: DqIssue[] = [];
  const checks: DqCheck[] = [];
  for (const database of config.mapping.databases) {
    if (!present.has(database.key)) continue;
    const result = await checkDatabase(warehouse, database, settings, present);
    issues.push(...result.issues);
    checks.push(...result.checks);
  }
  const freshness = await checkFreshness(warehouse, config, options.now);
  issues.push(...freshness.issues);
  checks.push(...freshness.checks);

  const score = dqScore(checks);
  const checkedAt = options.now.toISOString();
  const rows: Row[] = issues.map((i) => ({ detected_at: checkedAt, database_key: i.databaseKey, page_id: i.pageId, column_name: i.columnName, rule: i.rule, severity: severityText(i.severity), message: i.message, run_id: options.runId }));
  await warehouse.replaceRows(tables.issues, rows);
  await warehouse.insertRows(tables.history, rows);
  await warehouse.insertRows(tables.status, [
    { checked_at: checkedAt, dq_score: score, freshness_minutes: freshness.overallMinutes, databases_total: config.mapping.databases.length, databases_failed: freshness.failed, issues_total: issues.length, run_id: options.runId },
  ]);
  return { runId: options.runId, checkedAt: options.now, score, threshold: settings.dq.threshold, issues, checks, freshnessMinutes: freshness.overallMinutes, databasesFailed: freshness.failed };
}

/** A database is stale when its last successful sync is older than `dq.max_staleness_minutes`, or never happened. */
async function checkFreshness(warehouse: Warehouse, config: AppConfig, now: Date) {
  const settings = config.mapping.settings;
  const runs = warehouse.tableName(syncRunsTable(settings));
  const q = (name: string) => warehouse.quote(name);
  const latest = await warehouse.query(
    `SELECT ${q("database_key")} AS database_key, max(CASE WHEN ${q("status")} = 'success' THEN ${q("finished_at")} END) AS last_success, ` +
      `max_by(${q("status")}, ${q("finished_at")}) AS last_status FROM ${runs} GROUP BY 1`,
  );
  const byKey = new Map(latest.map((r) => [String(r.database_key), r]));
  const issues: DqIssue[] = [];
  const checks: DqCheck[] = [];
  const minutes: number[] = [];
  let unknown = false;
  let failed = 0;
  for (const { key } of config.mapping.databases) {
    const row = byKey.get(key);
    if (row?.last_status === "failed") failed += 1;
    const last = row?.last_success instanceof Date ? row.last_success : row?.last_success ? new Date(String(row.last_success)) : null;
    const age = last ? (now.getTime() - last.getTime()) / 60_000 : null;
    if (age === null) unknown = true;
    else minutes.push(age);
    const stale = age === null || age > settings.dq.max_staleness_minutes;
    const message = age === null ? `${key} has never synced successfully` : `${key} last synced successfully ${Math.round(age)} minutes ago (limit ${settings.dq.max_staleness_minutes})`;
    if (stale) issues.push({ databaseKey: key, pageId: null, columnName: null, rule: "freshness", severity: DEFAULT_SEVERITY.freshness, message });
    checks.push({ databaseKey: key, rule: "freshness", columnName: null, severity: DEFAULT_SEVERITY.freshness, checked: 1, failed: stale ? 1 : 0 });
  }
  const overallMinutes = unknown || minutes.length === 0 ? null : Math.round(Math.max(...minutes) * 10) / 10;
  return { issues, checks, overallMinutes, failed };
}
