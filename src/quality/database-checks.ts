import type { ColumnConfig, DatabaseConfig, Settings } from "../config/index.js";
import { quarantineTable, silverTable, type Warehouse } from "../warehouse/index.js";
import { DEFAULT_SEVERITY, type DqCheck, type DqIssue, type DqRule } from "./dq-model.js";

/**
 * The row-level rules of one database, each a read-only query over its live silver rows (the
 * engine does the work; only the problems come back): required, orphan, duplicate, invalid.
 */
export async function checkDatabase(warehouse: Warehouse, database: DatabaseConfig, settings: Settings, liveTables: ReadonlySet<string>): Promise<{ issues: DqIssue[]; checks: DqCheck[] }> {
  const q = (name: string) => warehouse.quote(name);
  const fn = warehouse.functions;
  const silver = warehouse.tableName(silverTable(database, settings));
  const issues: DqIssue[] = [];
  const checks: DqCheck[] = [];
  const [count] = await warehouse.query(`SELECT count(*) AS n FROM ${silver} WHERE NOT ${q("_is_deleted")}`);
  const live = Number(count?.n ?? 0);
  const add = (rule: DqRule, column: ColumnConfig | null, found: { pageId: string; message: string }[]) => {
    const severity = column?.severity ?? DEFAULT_SEVERITY[rule];
    for (const f of found) issues.push({ databaseKey: database.key, pageId: f.pageId, columnName: column?.name ?? null, rule, severity, message: f.message });
    checks.push({ databaseKey: database.key, rule, columnName: column?.name ?? null, severity, checked: live, failed: found.length });
  };
  const rows = async (sql: string) => (await warehouse.query(sql)).map((r) => ({ pageId: String(r.page_id), detail: r.detail }));

  // Invalid values: the violations the row model recorded for the version of each page now in silver.
  const quarantine = warehouse.tableName(quarantineTable(settings));
  const invalid = await warehouse.query(
    `SELECT DISTINCT v.page_id AS page_id, v.column_name AS column_name, v.rule AS rule, v.value AS value, v.message AS message FROM ${quarantine} v JOIN ${silver} s ` +
      `ON s.${q("page_id")} = v.page_id AND s.${q("last_edited_time")} = v.last_edited_time WHERE v.database_key = ${fn.param("key")} AND NOT s.${q("_is_deleted")} ORDER BY 1, 2`,
    { key: database.key },
  );
  // A value nulled because it was invalid is reported once, as invalid, not also as missing.
  const nulledInvalid = new Set(invalid.map((v) => `${String(v.page_id)}:${String(v.column_name)}`));

  for (const column of database.columns) {
    const c = q(column.name);
    const array = column.type.kind === "array_string";
    if (column.required) {
      const empty = array ? `${fn.arrayLength(c)} = 0` : column.type.kind === "string" ? `trim(${c}) = ''` : "FALSE";
      const found = await rows(`SELECT ${q("page_id")} AS page_id, NULL AS detail FROM ${silver} WHERE NOT ${q("_is_deleted")} AND (${c} IS NULL OR ${empty}) ORDER BY 1`);
      add("required", column, found.filter((f) => !nulledInvalid.has(`${f.pageId}:${column.name}`)).map((f) => ({ pageId: f.pageId, message: `${column.name} is empty ("${column.notionProperty}" is required)` })));
    }
    if (column.references) {
      const target = warehouse.tableName({ schema: settings.schemas.silver, name: column.references });
      if (!liveTables.has(column.references)) continue;
      const ids = array ? c : fn.split(c, ", ");
      const found = await rows(
        `SELECT r.page_id AS page_id, ${fn.joinAgg("r.ref", ", ")} AS detail FROM (SELECT ${q("page_id")} AS page_id, ${fn.explode(ids)} AS ref FROM ${silver} WHERE NOT ${q("_is_deleted")} AND ${c} IS NOT NULL) r ` +
          `WHERE r.ref <> '' AND NOT EXISTS (SELECT 1 FROM ${target} t WHERE t.${q("page_id")} = r.ref AND NOT t.${q("_is_deleted")}) GROUP BY r.page_id ORDER BY 1`,
      );
      add("orphan", column, found.map((f) => ({ pageId: f.pageId, message: `${column.name} points to ${String(f.detail)}, not a live page of ${column.references}` })));
    }
    if (column.unique) {
      const found = await rows(
        `SELECT page_id, detail FROM (SELECT ${q("page_id")} AS page_id, ${fn.toText(c)} AS detail, row_number() OVER (PARTITION BY ${c} ORDER BY ${q("created_time")}, ${q("page_id")}) AS n ` +
          `FROM ${silver} WHERE NOT ${q("_is_deleted")} AND ${c} IS NOT NULL) d WHERE n > 1 ORDER BY 1`,
      );
      add("duplicate", column, found.map((f) => ({ pageId: f.pageId, message: `${column.name} "${String(f.detail)}" is already used by an earlier page` })));
    }
  }

  for (const column of database.columns) {
    const found = invalid.filter((v) => v.column_name === column.name);
    add("invalid", column, found.map((v) => ({ pageId: String(v.page_id), message: `${column.name} = ${String(v.value)} failed ${String(v.rule)}: ${String(v.message)}` })));
  }
  return { issues, checks };
}
