import type { ColumnType, Settings } from "../config/index.js";
import type { TableSpec } from "../warehouse/index.js";

/**
 * The data-quality model: rules, severities and their weights, and the gold tables. A check run
 * evaluates every rule over the live silver rows (not `_is_deleted`) and the run records.
 */
export type DqRule = "required" | "orphan" | "invalid" | "duplicate" | "freshness";
export type Severity = "critical" | "high" | "medium" | "low";

/** Default severity of each rule; a column's `severity:` overrides it for that column. */
export const DEFAULT_SEVERITY: Record<DqRule, Severity> = {
  freshness: "critical",
  required: "high",
  orphan: "high",
  duplicate: "high",
  invalid: "medium",
};

/** Weights of the score, and the rank that `ORDER BY severity DESC` sorts by (critical first). */
export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/** One problem found by a check. `pageId` is null for database-level rules (freshness). */
export interface DqIssue {
  readonly databaseKey: string;
  readonly pageId: string | null;
  readonly columnName: string | null;
  readonly rule: DqRule;
  readonly severity: Severity;
  readonly message: string;
}

/** How many (row, rule, column) pairs a rule checked and with what weight: the score's denominator. */
export interface DqCheck {
  readonly databaseKey: string;
  readonly rule: DqRule;
  readonly columnName: string | null;
  readonly severity: Severity;
  readonly checked: number;
  readonly failed: number;
}

const STRING: ColumnType = { kind: "string" };
const TIMESTAMP: ColumnType = { kind: "timestamp" };
const INT: ColumnType = { kind: "int" };
const DOUBLE: ColumnType = { kind: "double" };

/**
 * `severity` holds "4-critical", "3-high", "2-medium", "1-low": readable, and the runbook's
 * `ORDER BY severity DESC` lists critical problems first on every engine.
 */
export const severityText = (severity: Severity) => `${SEVERITY_WEIGHT[severity]}-${severity}`;

const issueColumns = [
  { name: "detected_at", type: TIMESTAMP },
  { name: "database_key", type: STRING },
  { name: "page_id", type: STRING },
  { name: "column_name", type: STRING },
  { name: "rule", type: STRING },
  { name: "severity", type: STRING },
  { name: "message", type: STRING },
  { name: "run_id", type: STRING },
] as const;

/** The latest check's problems (replaced by every check run): what the runbook's P3 query lists. */
export const dqIssuesTable = (settings: Settings): TableSpec => ({
  schema: settings.schemas.gold,
  name: "dq_issues",
  key: ["run_id", "database_key", "page_id", "column_name", "rule"],
  columns: [...issueColumns],
});

/** Every check's problems, appended: the history by detected_at. */
export const dqIssuesHistoryTable = (settings: Settings): TableSpec => ({ ...dqIssuesTable(settings), name: "dq_issues_history" });

export const controlRoomStatusTable = (settings: Settings): TableSpec => ({
  schema: settings.schemas.gold,
  name: "control_room_status",
  key: ["checked_at"],
  columns: [
    { name: "checked_at", type: TIMESTAMP },
    { name: "dq_score", type: DOUBLE },
    { name: "freshness_minutes", type: DOUBLE },
    { name: "databases_total", type: INT },
    { name: "databases_failed", type: INT },
    { name: "issues_total", type: INT },
    { name: "run_id", type: STRING },
  ],
});

/**
 * The score, 0–100: the weighted share of checked pairs that pass,
 * 100 × (1 − Σ weight × failed / Σ weight × checked), rounded down to 2 decimals; 100 when nothing was checked.
 */
export function dqScore(checks: readonly DqCheck[]): number {
  let weighted = 0;
  let failedWeighted = 0;
  for (const c of checks) {
    const w = SEVERITY_WEIGHT[c.severity];
    weighted += w * c.checked;
    failedWeighted += w * Math.min(c.failed, c.checked);
  }
  if (weighted === 0) return 100;
  // Rounded down: 100 means nothing failed.
  return Math.floor(10_000 * (1 - failedWeighted / weighted)) / 100;
}
