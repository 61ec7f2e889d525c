import { SILVER_COLUMNS as S } from "../config/index.js";
import type { Dialect } from "./dialect.js";
import { relatedPagesSql } from "./related-pages.js";
import { createSqlSession } from "./sql-session.js";
import { isoOf, read, run, withStaged } from "./statements.js";
import { SEEN_COLUMNS } from "./sync-tables.js";
import type { Row, TableSpec } from "./table-spec.js";
import type { BatchResult, BatchWrite, CurrentVersion, Warehouse } from "./warehouse.js";

const ID_LIST: TableSpec = { schema: "", name: "page_ids", key: [S.pageId], columns: [{ name: S.pageId, type: { kind: "string" } }] };

/** The engine-neutral Warehouse: the sync's SQL shapes here, engine differences behind the Dialect. */
export async function openWarehouse(dialect: Dialect): Promise<Warehouse> {
  const driver = await dialect.createDriver();
  const sql = createSqlSession(dialect, driver);
  const q = sql.quote;
  const tableName = sql.tableName;

  async function mergeBronze(table: TableSpec, rows: readonly Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    return withStaged(driver, table, rows, async (staged) => {
      const on = table.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(" AND ");
      const cols = table.columns.map((c) => q(c.name));
      const sql = `MERGE INTO ${tableName(table)} t USING ${dedupe(table, staged.source, [S.rowHash])} s ON ${on} WHEN NOT MATCHED THEN INSERT (${cols.join(", ")}) VALUES (${cols.map((c) => `s.${c}`).join(", ")})`;
      return (await run(driver, "merge bronze versions", sql, table, staged.params)) ?? rows.length;
    });
  }

  async function mergeSilver(table: TableSpec, rows: readonly Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    return withStaged(driver, table, rows, async (staged) => {
      const cols = table.columns.map((c) => q(c.name));
      const updates = table.columns.filter((c) => c.name !== S.pageId).map((c) => `${q(c.name)} = s.${q(c.name)}`);
      const newer = `s.${q(S.lastEditedTime)} > t.${q(S.lastEditedTime)} OR (s.${q(S.lastEditedTime)} = t.${q(S.lastEditedTime)} AND s.${q(S.rowHash)} <> t.${q(S.rowHash)})`;
      const sql =
        `MERGE INTO ${tableName(table)} t USING ${dedupe(table, staged.source, [S.lastEditedTime])} s ON t.${q(S.pageId)} = s.${q(S.pageId)} ` +
        `WHEN MATCHED AND (${newer}) THEN UPDATE SET ${updates.join(", ")} ` +
        `WHEN NOT MATCHED THEN INSERT (${cols.join(", ")}) VALUES (${cols.map((c) => `s.${c}`).join(", ")})`;
      return (await run(driver, "merge silver rows", sql, table, staged.params)) ?? rows.length;
    });
  }

  /** One source row per target key (Delta rejects several; DuckDB would silently pick one). */
  function dedupe(table: TableSpec, source: string, newestBy: readonly string[]): string {
    const cols = table.columns.map((c) => q(c.name)).join(", ");
    const partition = (table.key.includes(S.rowHash) ? table.key : [S.pageId]).map(q).join(", ");
    const order = newestBy.map((c) => `${q(c)} DESC`).join(", ");
    return `(SELECT ${cols} FROM (SELECT ${cols}, row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS ${q("_rn")} FROM ${source}) d WHERE ${q("_rn")} = 1)`;
  }

  return {
    ensureTables: sql.ensureTables,
    insertRows: sql.insertRows,
    tableExists: sql.tableExists,
    async currentVersions(silver, pageIds) {
      const found = new Map<string, CurrentVersion>();
      if (pageIds.length === 0) return found;
      const rows = await withStaged(driver, ID_LIST, pageIds.map((id) => ({ [S.pageId]: id })), (staged) =>
        read(
          driver,
          "read current versions",
          `SELECT t.${q(S.pageId)} AS page_id, t.${q(S.rowHash)} AS row_hash, t.${q(S.lastEditedTime)} AS last_edited_time FROM ${tableName(silver)} t JOIN ${staged.source} i ON t.${q(S.pageId)} = i.${q(S.pageId)}`,
          silver,
          staged.params,
        ),
      );
      for (const row of rows) found.set(String(row.page_id), { rowHash: String(row.row_hash), lastEditedTime: isoOf(row.last_edited_time) });
      return found;
    },
    async bronzeVersions(bronze, pageIds) {
      if (pageIds.length === 0) return new Set();
      const rows = await withStaged(driver, ID_LIST, pageIds.map((id) => ({ [S.pageId]: id })), (staged) =>
        read(driver, "read bronze versions", `SELECT t.${q(S.pageId)} AS page_id, t.${q(S.rowHash)} AS row_hash FROM ${tableName(bronze)} t JOIN ${staged.source} i ON t.${q(S.pageId)} = i.${q(S.pageId)}`, bronze, staged.params),
      );
      return new Set(rows.map((r) => `${String(r.page_id)}:${String(r.row_hash)}`));
    },
    async writeBatch(batch: BatchWrite): Promise<BatchResult> {
      const transactional = dialect.capabilities.transactions;
      if (transactional) await driver.begin();
      try {
        const bronzeInserted = await mergeBronze(batch.bronze.table, batch.bronze.rows);
        const silverUpserted = await mergeSilver(batch.silver.table, batch.silver.rows);
        await sql.insertRows(batch.quarantine.table, batch.quarantine.rows);
        if (transactional) await driver.commit();
        return { bronzeInserted, silverUpserted };
      } catch (error) {
        if (transactional) await driver.rollback().catch(() => undefined);
        throw error;
      }
    },
    async markUnseen(silver, seen, scope) {
      const p = dialect.functions.param;
      const seenName = tableName(seen);
      // One MERGE (Delta runs no UPDATE with a subquery): live rows with no seen id are marked.
      const marked = await run(
        driver,
        "mark rows not seen by the full pass",
        `MERGE INTO ${tableName(silver)} t USING (SELECT ${q(S.pageId)} FROM ${seenName} WHERE ${q(SEEN_COLUMNS.runId)} = ${p("run")} AND ${q(SEEN_COLUMNS.databaseKey)} = ${p("key")}) v ` +
          `ON t.${q(S.pageId)} = v.${q(S.pageId)} WHEN NOT MATCHED BY SOURCE AND NOT t.${q(S.isDeleted)} THEN UPDATE SET ${q(S.isDeleted)} = TRUE, ` +
          `${q(S.deletedAt)} = CAST(${p("at")} AS TIMESTAMP), ${q(S.syncedAt)} = CAST(${p("at")} AS TIMESTAMP), ${q(S.runId)} = ${p("run")}, ${q(S.rowHash)} = 'unseen:' || t.${q(S.rowHash)}`,
        silver,
        { at: scope.at, run: scope.runId, key: scope.databaseKey },
      );
      // This run's ids, and those an interrupted earlier pass left behind.
      await run(driver, "forget seen ids", `DELETE FROM ${seenName} WHERE ${q(SEEN_COLUMNS.databaseKey)} = ${p("key")}`, seen, { key: scope.databaseKey });
      return marked ?? 0;
    },
    async relatedPages(link) {
      if (link.dependentColumns.length + link.changedColumns.length === 0) return [];
      const rows = await read(driver, "read related pages", relatedPagesSql(link, q, tableName, dialect.functions), link.dependent, { run: link.runId });
      return rows.map((r) => String(r.page_id));
    },
    sql,
    close: () => driver.close(),
  };
}
