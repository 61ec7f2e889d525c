import { BRONZE_COLUMNS as B, SILVER_COLUMNS as S, type ColumnConfig, type DatabaseConfig, type Settings } from "../config/index.js";
import { bronzeTable, quarantineTable, silverTable, type SqlSession } from "../warehouse/index.js";
import { DEFAULT_SEVERITY, severityText, type DqCheck, type DqRule } from "./dq-model.js";
import type { IssueTarget } from "./issue-target.js";

/** What one database's rules share: the session, the tables' names, and the live-row condition. */
interface RuleContext {
  readonly warehouse: SqlSession;
  readonly database: DatabaseConfig;
  readonly settings: Settings;
  readonly synced: ReadonlySet<string>;
  readonly silver: string;
  readonly q: (name: string) => string;
  readonly live: string;
  /** The row model's violations of each page's newest version (see `currentViolations`). */
  readonly violations: string;
}

/** One rule's problems as a SELECT of page_id and detail (text appended to the message). */
interface Finding {
  readonly rule: DqRule;
  readonly message: string;
  readonly select: string;
}

/**
 * The row-level rules of one database. Each rule is one INSERT … SELECT from the live silver rows
 * into `dq_issues`: the engine finds and writes the problems, whatever their number, and only the
 * counts come back. Every value (names, messages, times) travels as a parameter.
 */
export async function checkDatabase(
  warehouse: SqlSession,
  database: DatabaseConfig,
  settings: Settings,
  synced: ReadonlySet<string>,
  target: IssueTarget,
): Promise<DqCheck[]> {
  const q = (name: string) => warehouse.quote(name);
  const silver = warehouse.tableName(silverTable(database, settings));
  const live = `NOT s.${q(S.isDeleted)}`;
  const ctx: RuleContext = {
    warehouse,
    database,
    settings,
    synced,
    silver,
    q,
    live,
    violations: currentViolations(warehouse, silver, warehouse.tableName(quarantineTable(settings)), live),
  };
  const [count] = await warehouse.query(`SELECT count(*) AS n FROM ${silver} s WHERE ${live}`);
  const liveRows = Number(count?.n ?? 0);
  const checks: DqCheck[] = [];
  for (const column of database.columns) {
    for (const finding of findings(ctx, column)) {
      const severity = column.severity ?? DEFAULT_SEVERITY[finding.rule];
      const failed = await insertFindings(ctx, target, column, finding, severityText(severity));
      checks.push({ databaseKey: database.key, rule: finding.rule, columnName: column.name, severity, checked: liveRows, failed });
    }
  }
  return checks;
}

/** The rules a column's mapping asks for: required, orphan (references), duplicate (unique), invalid (rules and types). */
function findings(ctx: RuleContext, column: ColumnConfig): Finding[] {
  const { q, silver, live } = ctx;
  const fn = ctx.warehouse.functions;
  const p = fn.param;
  const c = `s.${q(column.name)}`;
  const array = column.type.kind === "array_string";
  const out: Finding[] = [];
  if (column.required) {
    const empty = array ? `${fn.arrayLength(c)} = 0` : column.type.kind === "string" ? `trim(${c}) = ''` : "FALSE";
    // A value nulled because it was invalid is reported once, as invalid.
    out.push({
      rule: "required",
      message: `${column.name} is empty ("${column.notionProperty}" is required)`,
      select:
        `SELECT s.${q(S.pageId)} AS page_id, ${fn.toText("NULL")} AS detail FROM ${silver} s WHERE ${live} AND (${c} IS NULL OR ${empty}) ` +
        `AND NOT EXISTS (SELECT 1 FROM (${ctx.violations}) i WHERE i.page_id = s.${q(S.pageId)} AND i.column_name = ${p("column")})`,
    });
  }
  if (column.references && ctx.synced.has(column.references)) out.push(orphans(ctx, column, column.references));
  if (column.unique) {
    out.push({
      rule: "duplicate",
      message: `${column.name} is already used by an earlier page: `,
      select:
        `SELECT d.page_id AS page_id, d.detail AS detail FROM (SELECT s.${q(S.pageId)} AS page_id, ${fn.toText(c)} AS detail, ` +
        `row_number() OVER (PARTITION BY ${c} ORDER BY s.${q(S.createdTime)}, s.${q(S.pageId)}) AS n FROM ${silver} s WHERE ${live} AND ${c} IS NOT NULL) d WHERE d.n > 1`,
    });
  }
  if (validated(column)) {
    out.push({
      rule: "invalid",
      message: `${column.name} `,
      select: `SELECT i.page_id AS page_id, '= ' || coalesce(i.value, 'null') || ' failed ' || i.rule || ': ' || i.message AS detail FROM (${ctx.violations}) i WHERE i.column_name = ${p("column")}`,
    });
  }
  return out;
}

/** Ids in a relation column that are not live pages of the database it references. */
function orphans(ctx: RuleContext, column: ColumnConfig, references: string): Finding {
  const { q, silver, live, warehouse, settings } = ctx;
  const fn = warehouse.functions;
  const c = `s.${q(column.name)}`;
  const refTable = warehouse.tableName({ schema: settings.schemas.silver, name: references });
  const ids = column.type.kind === "array_string" ? c : fn.split(c, ", ");
  // Under on_invalid: quarantine a referenced page may be held back from silver: it still exists.
  const refBronze = warehouse.tableName(bronzeTable({ ...ctx.database, key: references }, settings));
  const heldBack =
    settings.on_invalid === "quarantine"
      ? ` AND NOT EXISTS (SELECT 1 FROM ${refBronze} b WHERE b.${q(B.pageId)} = r.ref AND NOT EXISTS (SELECT 1 FROM ${refTable} u WHERE u.${q(S.pageId)} = r.ref))`
      : "";
  return {
    rule: "orphan",
    message: `${column.name} points to a page that is not live in ${references}: `,
    select:
      `SELECT r.page_id AS page_id, ${fn.joinAgg("r.ref", ", ")} AS detail FROM (SELECT s.${q(S.pageId)} AS page_id, ${fn.explode(ids)} AS ref FROM ${silver} s WHERE ${live} AND ${c} IS NOT NULL) r ` +
      `WHERE r.ref <> '' AND NOT EXISTS (SELECT 1 FROM ${refTable} t WHERE t.${q(S.pageId)} = r.ref AND NOT t.${q(S.isDeleted)})${heldBack} GROUP BY r.page_id`,
  };
}

/**
 * The row model's violations of each page's newest version: a page whose newer version is valid (in
 * silver) is fine, a quarantined page (not in silver) is reported.
 */
function currentViolations(warehouse: SqlSession, silver: string, quarantine: string, live: string): string {
  const q = (name: string) => warehouse.quote(name);
  const p = warehouse.functions.param;
  return (
    `SELECT v.page_id AS page_id, v.column_name AS column_name, v.value AS value, v.rule AS rule, v.message AS message FROM ${quarantine} v LEFT JOIN ${silver} s ON s.${q(S.pageId)} = v.page_id ` +
    `WHERE v.database_key = ${p("key")} AND (s.${q(S.pageId)} IS NULL OR (s.${q(S.lastEditedTime)} <= v.last_edited_time AND ${live})) ` +
    `AND v.last_edited_time = (SELECT max(w.last_edited_time) FROM ${quarantine} w WHERE w.database_key = v.database_key AND w.page_id = v.page_id)`
  );
}

/** Inserts one rule's problems into `dq_issues`; returns how many were written. */
async function insertFindings(ctx: RuleContext, target: IssueTarget, column: ColumnConfig, finding: Finding, severity: string): Promise<number> {
  const { warehouse, q } = ctx;
  const p = warehouse.functions.param;
  const params = { at: target.at, key: ctx.database.key, column: column.name, rule: finding.rule, severity, message: finding.message, run: target.runId };
  const sql =
    `INSERT INTO ${target.table} (${target.columns}) SELECT CAST(${p("at")} AS TIMESTAMP), ${p("key")}, f.page_id, ${p("column")}, ${p("rule")}, ${p("severity")}, ${p("message")} || coalesce(f.detail, ''), ${p("run")} ` +
    `FROM (${finding.select}) f`;
  const written = await warehouse.execute(sql, params);
  if (written !== undefined) return written;
  // Engines that do not report an INSERT's row count (open-source Spark) are asked.
  const [row] = await warehouse.query(
    `SELECT count(*) AS n FROM ${target.table} WHERE ${q("run_id")} = ${p("run")} AND ${q("database_key")} = ${p("key")} AND ${q("column_name")} = ${p("column")} AND ${q("rule")} = ${p("rule")}`,
    { run: target.runId, key: ctx.database.key, column: column.name, rule: finding.rule },
  );
  return Number(row?.n ?? 0);
}

/** Columns whose values the row model can reject: those with rules, or a type narrower than text. */
function validated(column: ColumnConfig): boolean {
  const { rules, type } = column;
  return (
    rules.min !== undefined ||
    rules.max !== undefined ||
    rules.pattern !== undefined ||
    rules.values !== undefined ||
    ["int", "bigint", "decimal", "date", "timestamp", "boolean", "double"].includes(type.kind)
  );
}
