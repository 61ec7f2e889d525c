import { BRONZE_COLUMNS as B, SILVER_COLUMNS as S } from "../config/index.js";
import type { Dialect, Driver } from "./dialect.js";
import { typeChanges } from "./sql-session.js";
import { cellText, read, run } from "./statements.js";
import type { SqlText } from "./sync-sql.js";
import type { Warehouse } from "./warehouse.js";

/**
 * The statements of a rebuild from bronze (`pipeline/rebuild.ts`): the newest bronze version of each
 * page in page-id order, a page of them at a time; the swap of a rebuilt table for the one in use
 * (one CREATE OR REPLACE … AS SELECT: atomic on Delta, which keeps the table's history, and on DuckDB).
 */
export function rebuildOps(
  dialect: Dialect,
  driver: Driver,
  text: SqlText,
): Pick<Warehouse, "newestBronze" | "replaceTable" | "dropTable" | "keepUnseen" | "typeChanges"> {
  const { q, fn } = text;
  return {
    async newestBronze(bronze, { after, notAfter, limit }) {
      // First the batch's last page id (one small column), then the window over the versions of the
      // batch's pages alone, between two bounds the scan filters on: a window over every remaining
      // version's page JSON held the table in memory (DuckDB's 64 MB pool ran out at 20,000 pages).
      const inWindow = `${q(B.lastEditedTime)} <= CAST(${fn.param("notAfter")} AS TIMESTAMP)`;
      const [bound] = await read(
        driver,
        "find the next pages to rebuild",
        `SELECT max(${q(B.pageId)}) AS last FROM (SELECT DISTINCT ${q(B.pageId)} FROM ${text.tableName(bronze)} ` +
          `WHERE ${q(B.pageId)} > ${fn.param("after")} AND ${inWindow} ORDER BY ${q(B.pageId)} LIMIT ${Math.trunc(limit)}) i`,
        bronze,
        { after, notAfter },
      );
      if (bound?.last === null || bound?.last === undefined) return [];
      const newest = `ROW_NUMBER() OVER (PARTITION BY ${q(B.pageId)} ORDER BY ${q(B.lastEditedTime)} DESC, ${q(B.ingestedAt)} DESC)`;
      const rows = await read(
        driver,
        "read the newest bronze versions",
        `SELECT ${q(B.pageId)} AS page_id, ${q(B.pageJson)} AS page_json FROM (SELECT ${q(B.pageId)}, ${q(B.pageJson)}, ${newest} AS version_rank ` +
          `FROM ${text.tableName(bronze)} WHERE ${q(B.pageId)} > ${fn.param("after")} AND ${q(B.pageId)} <= ${fn.param("last")} AND ${inWindow}) v ` +
          `WHERE version_rank = 1 ORDER BY ${q(B.pageId)}`,
        bronze,
        { after, notAfter, last: cellText(bound.last) },
      );
      return rows.map((r) => ({ pageId: cellText(r.page_id), pageJson: cellText(r.page_json) }));
    },
    async keepUnseen(rebuilt, silver) {
      // A row the reconcile marked deleted (not seen by a full read) stays deleted: bronze cannot tell.
      const unseen = `${q(S.rowHash)} LIKE 'unseen:%'`;
      return (
        (await run(
          driver,
          "keep the reconcile's deletions",
          `MERGE INTO ${text.tableName(rebuilt)} t USING (SELECT ${q(S.pageId)}, ${q(S.deletedAt)} FROM ${text.tableName(silver)} WHERE ${unseen}) s ` +
            `ON t.${q(S.pageId)} = s.${q(S.pageId)} WHEN MATCHED THEN UPDATE SET ${q(S.isDeleted)} = TRUE, ${q(S.deletedAt)} = s.${q(S.deletedAt)}, ` +
            `${q(S.rowHash)} = 'unseen:' || t.${q(S.rowHash)}`,
          rebuilt,
        )) ?? 0
      );
    },
    async replaceTable(target, rebuilt) {
      await run(
        driver,
        "swap in the rebuilt table",
        `CREATE OR REPLACE TABLE ${text.tableName(target)}${dialect.createTableSuffix(target)} AS SELECT * FROM ${text.tableName(rebuilt)}`,
        target,
      );
    },
    typeChanges: (table) => typeChanges(dialect, driver, table),
    async dropTable(table) {
      await run(driver, "drop table", `DROP TABLE IF EXISTS ${text.tableName(table)}`, table);
    },
  };
}
