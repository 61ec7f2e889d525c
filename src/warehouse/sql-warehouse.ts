import { SILVER_COLUMNS as S } from "../config/index.js";
import type { Dialect, Driver } from "./dialect.js";
import { leaseOps } from "./lease-ops.js";
import { relatedPagesSql } from "./related-pages.js";
import { rebuildOps } from "./rebuild-ops.js";
import { createSqlSession } from "./sql-session.js";
import { cellText, isoOf, read, run, withStaged } from "./statements.js";
import { bronzeVersionsSql, currentVersionsSql, forgetSeenSql, markUnseenSql, mergeBronzeSql, mergeSilverSql, upsertSql, type SqlText } from "./sync-sql.js";
import type { Row, TableSpec } from "./table-spec.js";
import type { BatchWrite, CurrentVersion, Warehouse } from "./warehouse.js";
import { isWarehouseError } from "./warehouse-error.js";

const ID_LIST: TableSpec = { schema: "", name: "page_ids", key: [S.pageId], columns: [{ name: S.pageId, type: { kind: "string" } }] };

/** The engine-neutral Warehouse: the sync's statements (`sync-sql.ts`) over a dialect's driver. */
export async function openWarehouse(dialect: Dialect): Promise<Warehouse> {
  const driver = await dialect.createDriver();
  const session = createSqlSession(dialect, driver);
  const text: SqlText = { q: (name) => session.quote(name), tableName: (table) => session.tableName(table), fn: dialect.functions };
  /** Rows of the given pages, read with their ids staged. */
  const byIds = (pageIds: readonly string[], table: TableSpec, purpose: string, sql: (source: string) => string) =>
    withStaged(
      driver,
      ID_LIST,
      pageIds.map((id) => ({ [S.pageId]: id })),
      (staged) => read(driver, purpose, sql(staged.source), table, staged.params),
    );

  return {
    ensureTables: (tables) => session.ensureTables(tables),
    insertRows: (table, rows) => session.insertRows(table, rows),
    tableExists: (table) => session.tableExists(table),
    async currentVersions(silver, pageIds) {
      const found = new Map<string, CurrentVersion>();
      if (pageIds.length === 0) return found;
      for (const row of await byIds(pageIds, silver, "read current versions", (source) => currentVersionsSql(text, silver, source))) {
        found.set(cellText(row.page_id), { rowHash: cellText(row.row_hash), lastEditedTime: isoOf(row.last_edited_time) });
      }
      return found;
    },
    async bronzeVersions(bronze, pageIds) {
      if (pageIds.length === 0) return new Set();
      const rows = await byIds(pageIds, bronze, "read bronze versions", (source) => bronzeVersionsSql(text, bronze, source));
      return new Set(rows.map((r) => `${cellText(r.page_id)}:${cellText(r.row_hash)}`));
    },
    writeBatch: (batch) => writeBatch(dialect, driver, text, batch, (table, rows) => session.insertRows(table, rows)),
    upsertRows: (table, rows) => upsert(driver, text, table, rows),
    readRows: (table) => read(driver, "read rows", `SELECT ${table.columns.map((c) => text.q(c.name)).join(", ")} FROM ${text.tableName(table)}`, table),
    async deleteRows(table, column, values) {
      if (values.length === 0) return 0;
      const markers = values.map((_v, i) => dialect.functions.param(`v${i}`)).join(", ");
      const params = Object.fromEntries(values.map((v, i) => [`v${i}`, v]));
      return (await run(driver, "delete rows", `DELETE FROM ${text.tableName(table)} WHERE ${text.q(column)} IN (${markers})`, table, params)) ?? 0;
    },
    async markUnseen(silver, seen, scope) {
      const marked = await run(driver, "mark rows not seen by the full pass", markUnseenSql(text, silver, seen), silver, {
        at: scope.at,
        run: scope.runId,
        key: scope.databaseKey,
      });
      await run(driver, "forget seen ids", forgetSeenSql(text, seen), seen, { key: scope.databaseKey });
      return marked ?? 0;
    },
    async relatedPages(link) {
      if (link.dependentColumns.length + link.changedColumns.length === 0) return [];
      const rows = await read(driver, "read related pages", relatedPagesSql(link, text.q, text.tableName, dialect.functions), link.dependent, {
        run: link.runId,
      });
      return rows.map((r) => cellText(r.page_id));
    },
    ...leaseOps(driver, text),
    ...rebuildOps(dialect, driver, text),
    capabilities: dialect.capabilities,
    sql: session,
    close: () => driver.close(),
  };
}

/** Rows upserted by the table's key, in one statement. */
async function upsert(driver: Driver, text: SqlText, table: TableSpec, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  await withStaged(driver, table, rows, (staged) => run(driver, "upsert rows", upsertSql(text, table, staged.source), table, staged.params));
}

/** One batch: bronze, silver and the quarantine log, committed together where the engine has transactions. */
async function writeBatch(
  dialect: Dialect,
  driver: Driver,
  text: SqlText,
  batch: BatchWrite,
  insertRows: (table: TableSpec, rows: readonly Row[]) => Promise<void>,
) {
  const merge = async (table: TableSpec, rows: readonly Row[], purpose: string, sql: (source: string) => string): Promise<number> => {
    if (rows.length === 0) return 0;
    try {
      return await withStaged(driver, table, rows, async (staged) => (await run(driver, purpose, sql(staged.source), table, staged.params)) ?? rows.length);
    } catch (error) {
      // Each MERGE is idempotent and keyed by page: the halves land as the whole would have.
      const halves = isWarehouseError(error) && error.kind === "too_large" ? halvesByPage(rows) : undefined;
      if (!halves) throw error;
      return (await merge(table, halves[0], purpose, sql)) + (await merge(table, halves[1], purpose, sql));
    }
  };
  const transactional = dialect.capabilities.transactions;
  if (transactional) await driver.begin();
  try {
    const bronzeInserted = await merge(batch.bronze.table, batch.bronze.rows, "merge bronze versions", (source) =>
      mergeBronzeSql(text, batch.bronze.table, source),
    );
    const silverUpserted = await merge(batch.silver.table, batch.silver.rows, "merge silver rows", (source) =>
      mergeSilverSql(text, batch.silver.table, source),
    );
    await insertRows(batch.quarantine.table, batch.quarantine.rows);
    if (batch.state) await upsert(driver, text, batch.state.table, batch.state.rows);
    if (transactional) await driver.commit();
    return { bronzeInserted, silverUpserted };
  } catch (error) {
    if (transactional) await driver.rollback().catch(() => undefined);
    throw error;
  }
}

/** Rows in two, a page's rows together (a batch may hold two versions of one page); undefined for one page. */
function halvesByPage(rows: readonly Row[]): [Row[], Row[]] | undefined {
  const pages = new Map<unknown, Row[]>();
  for (const row of rows) {
    const page = pages.get(row[S.pageId]);
    if (page) page.push(row);
    else pages.set(row[S.pageId], [row]);
  }
  if (pages.size < 2) return undefined;
  const groups = [...pages.values()];
  const middle = Math.ceil(groups.length / 2);
  return [groups.slice(0, middle).flat(), groups.slice(middle).flat()];
}
