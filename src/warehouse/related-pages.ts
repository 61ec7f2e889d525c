import { SILVER_COLUMNS as S } from "../config/index.js";
import type { SqlFunctions } from "./dialect.js";
import type { ColumnSpec, TableSpec } from "./table-spec.js";
import type { RelatedPages } from "./warehouse.js";

/**
 * The query behind `Warehouse.relatedPages`: live pages of A that point at a row of B this run wrote
 * (A's relation columns), and live pages of A that such a row points at (B's relation columns). A
 * relation held as a STRING column is a `, `-joined list.
 */
export function relatedPagesSql(link: RelatedPages, q: (name: string) => string, tableName: (t: TableSpec) => string, fn: SqlFunctions): string {
  const silverA = tableName(link.dependent);
  const silverB = tableName(link.changed);
  const ids = (column: ColumnSpec, alias: string) =>
    column.type.kind === "array_string" ? `${alias}.${q(column.name)}` : fn.split(`${alias}.${q(column.name)}`, ", ");
  const written = `SELECT b.${q(S.pageId)} FROM ${silverB} b WHERE b.${q(S.runId)} = ${fn.param("run")}`;
  const live = `SELECT a.${q(S.pageId)} FROM ${silverA} a WHERE NOT a.${q(S.isDeleted)}`;
  const parts = [
    ...link.dependentColumns.map(
      (c) =>
        `SELECT r.page_id AS page_id FROM (SELECT a.${q(S.pageId)} AS page_id, ${fn.explode(ids(c, "a"))} AS ref FROM ${silverA} a WHERE NOT a.${q(S.isDeleted)} AND a.${q(c.name)} IS NOT NULL) r WHERE r.ref IN (${written})`,
    ),
    ...link.changedColumns.map(
      (c) =>
        `SELECT r.ref AS page_id FROM (SELECT ${fn.explode(ids(c, "b"))} AS ref FROM ${silverB} b WHERE b.${q(S.runId)} = ${fn.param("run")} AND b.${q(c.name)} IS NOT NULL) r WHERE r.ref IN (${live})`,
    ),
  ];
  return `SELECT DISTINCT u.page_id AS page_id FROM (${parts.join(" UNION ALL ")}) u ORDER BY page_id`;
}
