import type { ColumnConfig, DatabaseConfig, Settings } from "../config/index.js";
import { bronzeTable, quarantineTable, silverTable, type SqlSession } from "../warehouse/index.js";
import { DEFAULT_SEVERITY, severityText, type DqCheck, type DqRule } from "./dq-model.js";
import type { IssueTarget } from "./issue-target.js";

/**
 * The row-level rules of one database. Each rule is one INSERT … SELECT from the live silver rows
 * into `dq_issues`: the engine finds and writes the problems, whatever their number, and only the
 * counts come back. Every value (names, messages, times) travels as a parameter.
 */
export async function checkDatabase(warehouse: SqlSession, database: DatabaseConfig, settings: Settings, synced: ReadonlySet<string>, target: IssueTarget): Promise<DqCheck[]> {
  const q = (name: string) => warehouse.quote(name);
  const fn = warehouse.functions;
  const p = fn.param;
  const silver = warehouse.tableName(silverTable(database, settings));
  const quarantine = warehouse.tableName(quarantineTable(settings));
  const live = `NOT s.${q("_is_deleted")}`;
  const [count] = await warehouse.query(`SELECT count(*) AS n FROM ${silver} s WHERE ${live}`);
  const liveRows = Number(count?.n ?? 0);
  const checks: DqCheck[] = [];

  const countWritten = async (rule: DqRule, columnName: string) => {
    const [row] = await warehouse.query(
      `SELECT count(*) AS n FROM ${target.table} WHERE ${q("run_id")} = ${p("run")} AND ${q("database_key")} = ${p("key")} AND ${q("column_name")} = ${p("column")} AND ${q("rule")} = ${p("rule")}`,
      { run: target.runId, key: database.key, column: columnName, rule },
    );
    return Number(row?.n ?? 0);
  };

  /** Inserts the problems `select` finds; `select` yields page_id and detail (text appended to the message). */
  const insert = async (rule: DqRule, column: ColumnConfig, message: string, select: string, params: Record<string, unknown> = {}) => {
    const severity = column.severity ?? DEFAULT_SEVERITY[rule];
    const sql =
      `INSERT INTO ${target.table} (${target.columns}) SELECT CAST(${p("at")} AS TIMESTAMP), ${p("key")}, f.page_id, ${p("column")}, ${p("rule")}, ${p("severity")}, ${p("message")} || coalesce(f.detail, ''), ${p("run")} ` +
      `FROM (${select}) f`;
    const written = await warehouse.execute(sql, { ...params, at: target.at, key: database.key, column: column.name, rule, severity: severityText(severity), message, run: target.runId });
    // Engines that do not report an INSERT's row count (open-source Spark) are asked.
    const failed = written ?? (await countWritten(rule, column.name));
    checks.push({ databaseKey: database.key, rule, columnName: column.name, severity, checked: liveRows, failed });
  };

  // Invalid values: the row model's violations of each page's newest version; a page whose newer
  // version is valid (in silver) is fine, a quarantined page (not in silver) is reported.
  const currentViolations =
    `SELECT v.page_id AS page_id, v.column_name AS column_name, v.value AS value, v.rule AS rule, v.message AS message FROM ${quarantine} v LEFT JOIN ${silver} s ON s.${q("page_id")} = v.page_id ` +
    `WHERE v.database_key = ${p("key")} AND (s.${q("page_id")} IS NULL OR (s.${q("last_edited_time")} <= v.last_edited_time AND ${live})) ` +
    `AND v.last_edited_time = (SELECT max(w.last_edited_time) FROM ${quarantine} w WHERE w.database_key = v.database_key AND w.page_id = v.page_id)`;

  for (const column of database.columns) {
    const c = `s.${q(column.name)}`;
    const array = column.type.kind === "array_string";
    if (column.required) {
      const empty = array ? `${fn.arrayLength(c)} = 0` : column.type.kind === "string" ? `trim(${c}) = ''` : "FALSE";
      // A value nulled because it was invalid is reported once, as invalid.
      await insert("required", column, `${column.name} is empty ("${column.notionProperty}" is required)`,
        `SELECT s.${q("page_id")} AS page_id, ${fn.toText("NULL")} AS detail FROM ${silver} s WHERE ${live} AND (${c} IS NULL OR ${empty}) ` +
          `AND NOT EXISTS (SELECT 1 FROM (${currentViolations}) i WHERE i.page_id = s.${q("page_id")} AND i.column_name = ${p("column")})`);
    }
    if (column.references && synced.has(column.references)) {
      const refTable = warehouse.tableName({ schema: settings.schemas.silver, name: column.references });
      const ids = array ? c : fn.split(c, ", ");
      // Under on_invalid: quarantine a referenced page may be held back from silver: it still exists.
      const refBronze = warehouse.tableName(bronzeTable({ ...database, key: column.references }, settings));
      const heldBack = settings.on_invalid === "quarantine" ? ` AND NOT EXISTS (SELECT 1 FROM ${refBronze} b WHERE b.${q("page_id")} = r.ref AND NOT EXISTS (SELECT 1 FROM ${refTable} u WHERE u.${q("page_id")} = r.ref))` : "";
      await insert("orphan", column, `${column.name} points to a page that is not live in ${column.references}: `,
        `SELECT r.page_id AS page_id, ${fn.joinAgg("r.ref", ", ")} AS detail FROM (SELECT s.${q("page_id")} AS page_id, ${fn.explode(ids)} AS ref FROM ${silver} s WHERE ${live} AND ${c} IS NOT NULL) r ` +
          `WHERE r.ref <> '' AND NOT EXISTS (SELECT 1 FROM ${refTable} t WHERE t.${q("page_id")} = r.ref AND NOT t.${q("_is_deleted")})${heldBack} GROUP BY r.page_id`);
    }
    if (column.unique) {
      await insert("duplicate", column, `${column.name} is already used by an earlier page: `,
        `SELECT d.page_id AS page_id, d.detail AS detail FROM (SELECT s.${q("page_id")} AS page_id, ${fn.toText(c)} AS detail, ` +
          `row_number() OVER (PARTITION BY ${c} ORDER BY s.${q("created_time")}, s.${q("page_id")}) AS n FROM ${silver} s WHERE ${live} AND ${c} IS NOT NULL) d WHERE d.n > 1`);
    }
    if (validated(column)) {
      await insert("invalid", column, `${column.name} `,
        `SELECT i.page_id AS page_id, '= ' || coalesce(i.value, 'null') || ' failed ' || i.rule || ': ' || i.message AS detail FROM (${currentViolations}) i WHERE i.column_name = ${p("column")}`);
    }
  }
  return checks;
}

/** Columns whose values the row model can reject: those with rules, or a type narrower than text. */
function validated(column: ColumnConfig): boolean {
  const { rules, type } = column;
  return rules.min !== undefined || rules.max !== undefined || rules.pattern !== undefined || rules.values !== undefined || ["int", "bigint", "decimal", "date", "timestamp", "boolean", "double"].includes(type.kind);
}
