import { describeError, SyncError } from "../errors.js";
import type { Dialect, Driver, StagedRows } from "./dialect.js";
import type { Row, TableSpec } from "./table-spec.js";
import type { BatchResult, BatchWrite, CurrentVersion, Warehouse } from "./warehouse.js";
import { isWarehouseError, WarehouseError } from "./warehouse-error.js";

const ID_LIST: TableSpec = { schema: "", name: "page_ids", key: ["page_id"], columns: [{ name: "page_id", type: { kind: "string" } }] };

/** The engine-neutral Warehouse: SQL shapes here, engine differences behind the Dialect. */
export async function openWarehouse(dialect: Dialect): Promise<Warehouse> {
  const driver = await dialect.createDriver();
  const q = (name: string) => dialect.quoteIdentifier(name);
  const tableName = (t: Pick<TableSpec, "schema" | "name">) => dialect.qualify(t.schema, t.name);

  /**
   * Runs `use` over rows staged for one statement, then releases them. When `use` fails inside a
   * transaction the engine may refuse the release too: the original error is the one that matters.
   */
  async function withStaged<T>(table: TableSpec, rows: readonly Row[], use: (staged: StagedRows) => Promise<T>): Promise<T> {
    const staged = await driver.stage(table, rows);
    let result: T;
    try {
      result = await use(staged);
    } catch (error) {
      // An aborted transaction refuses the release as well; its rollback discards the staged rows anyway.
      await staged.release().catch(() => undefined);
      throw error;
    }
    await staged.release();
    return result;
  }

  async function columnsOf(table: Pick<TableSpec, "schema" | "name">): Promise<{ name: string; type: string }[] | undefined> {
    try {
      return await driver.columnsOf(table.schema, table.name);
    } catch (error) {
      throw statementFailed("describe table", `DESCRIBE ${tableName(table)}`, table, error);
    }
  }

  /**
   * Creates the table (and its schema, once per warehouse) when it is absent, or adds the columns it
   * lacks. A table that exists costs one DESCRIBE and no DDL: on Databricks each statement costs.
   */
  const schemasCreated = new Set<string>();
  async function ensureTable(table: TableSpec): Promise<void> {
    const existing = await columnsOf(table);
    if (!existing) {
      if (!schemasCreated.has(table.schema)) {
        await run(driver, "create schema", `CREATE SCHEMA IF NOT EXISTS ${dialect.qualifySchema(table.schema)}`);
        schemasCreated.add(table.schema);
      }
      const columns = table.columns.map((c) => `${q(c.name)} ${dialect.typeName(c.type)}`).join(", ");
      await run(driver, "create table", `CREATE TABLE IF NOT EXISTS ${tableName(table)} (${columns})${dialect.createTableSuffix(table)}`, table);
      return;
    }
    const have = new Map(existing.map((c) => [c.name.toLowerCase(), c.type]));
    const normalize = (type: string) => type.toUpperCase().replace(/\s+/g, "");
    const changed = table.columns.filter((c) => have.has(c.name) && normalize(have.get(c.name)!) !== normalize(dialect.typeName(c.type)));
    if (changed.length > 0) {
      const list = changed.map((c) => `${c.name} is ${have.get(c.name)} in the warehouse but ${dialect.typeName(c.type)} in the mapping`).join("; ");
      throw new SyncError("warehouse_terminal", `table ${table.schema}.${table.name}: ${list}. Give the column a new column_name, or migrate or drop the old column, then resync`, {
        context: { table: `${table.schema}.${table.name}` },
      });
    }
    const missing = table.columns.filter((c) => !have.has(c.name));
    for (const statement of missing.length > 0 ? dialect.addColumns(table, missing) : []) await run(driver, "add columns", statement, table);
  }

  async function mergeBronze(table: TableSpec, rows: readonly Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    return withStaged(table, rows, async (staged) => {
      const on = table.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(" AND ");
      const cols = table.columns.map((c) => q(c.name));
      const sql = `MERGE INTO ${tableName(table)} t USING ${dedupe(table, staged.source, ["_row_hash"])} s ON ${on} WHEN NOT MATCHED THEN INSERT (${cols.join(", ")}) VALUES (${cols.map((c) => `s.${c}`).join(", ")})`;
      return (await run(driver, "merge bronze versions", sql, table, staged.params)) ?? rows.length;
    });
  }

  async function mergeSilver(table: TableSpec, rows: readonly Row[]): Promise<number> {
    if (rows.length === 0) return 0;
    return withStaged(table, rows, async (staged) => {
      const cols = table.columns.map((c) => q(c.name));
      const updates = table.columns.filter((c) => c.name !== "page_id").map((c) => `${q(c.name)} = s.${q(c.name)}`);
      const newer = `s.${q("last_edited_time")} > t.${q("last_edited_time")} OR (s.${q("last_edited_time")} = t.${q("last_edited_time")} AND s.${q("_row_hash")} <> t.${q("_row_hash")})`;
      const sql =
        `MERGE INTO ${tableName(table)} t USING ${dedupe(table, staged.source, ["last_edited_time"])} s ON t.${q("page_id")} = s.${q("page_id")} ` +
        `WHEN MATCHED AND (${newer}) THEN UPDATE SET ${updates.join(", ")} ` +
        `WHEN NOT MATCHED THEN INSERT (${cols.join(", ")}) VALUES (${cols.map((c) => `s.${c}`).join(", ")})`;
      return (await run(driver, "merge silver rows", sql, table, staged.params)) ?? rows.length;
    });
  }

  /** One source row per target key (Delta rejects several; DuckDB would silently pick one). */
  function dedupe(table: TableSpec, source: string, newestBy: readonly string[]): string {
    const cols = table.columns.map((c) => q(c.name)).join(", ");
    const partition = (table.key.includes("_row_hash") ? table.key : ["page_id"]).map(q).join(", ");
    const order = newestBy.map((c) => `${q(c)} DESC`).join(", ");
    return `(SELECT ${cols} FROM (SELECT ${cols}, row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS ${q("_rn")} FROM ${source}) d WHERE ${q("_rn")} = 1)`;
  }

  async function insertRows(table: TableSpec, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    await withStaged(table, rows, async (staged) => {
      const cols = table.columns.map((c) => q(c.name)).join(", ");
      await run(driver, "insert rows", `INSERT INTO ${tableName(table)} (${cols}) SELECT ${cols} FROM ${staged.source}`, table, staged.params);
    });
  }

  return {
    async ensureTables(tables) {
      for (const table of tables) await ensureTable(table);
    },
    async currentVersions(silver, pageIds) {
      const found = new Map<string, CurrentVersion>();
      if (pageIds.length === 0) return found;
      const rows = await withStaged(ID_LIST, pageIds.map((id) => ({ page_id: id })), (staged) =>
        read(
          driver,
          "read current versions",
          `SELECT t.${q("page_id")} AS page_id, t.${q("_row_hash")} AS row_hash, t.${q("last_edited_time")} AS last_edited_time FROM ${tableName(silver)} t JOIN ${staged.source} i ON t.${q("page_id")} = i.${q("page_id")}`,
          silver,
          staged.params,
        ),
      );
      for (const row of rows) found.set(String(row.page_id), { rowHash: String(row.row_hash), lastEditedTime: isoOf(row.last_edited_time) });
      return found;
    },
    async bronzeVersions(bronze, pageIds) {
      if (pageIds.length === 0) return new Set();
      const rows = await withStaged(ID_LIST, pageIds.map((id) => ({ page_id: id })), (staged) =>
        read(driver, "read bronze versions", `SELECT t.${q("page_id")} AS page_id, t.${q("_row_hash")} AS row_hash FROM ${tableName(bronze)} t JOIN ${staged.source} i ON t.${q("page_id")} = i.${q("page_id")}`, bronze, staged.params),
      );
      return new Set(rows.map((r) => `${String(r.page_id)}:${String(r.row_hash)}`));
    },
    async writeBatch(batch: BatchWrite): Promise<BatchResult> {
      const transactional = dialect.capabilities.transactions;
      if (transactional) await driver.begin();
      try {
        const bronzeInserted = await mergeBronze(batch.bronze.table, batch.bronze.rows);
        const silverUpserted = await mergeSilver(batch.silver.table, batch.silver.rows);
        await insertRows(batch.quarantine.table, batch.quarantine.rows);
        if (transactional) await driver.commit();
        return { bronzeInserted, silverUpserted };
      } catch (error) {
        if (transactional) await driver.rollback().catch(() => undefined);
        throw error;
      }
    },
    insertRows,
    tableExists: async (table) => (await columnsOf(table)) !== undefined,
    async markUnseen(silver, seen, scope) {
      const p = dialect.functions.param;
      const seenName = tableName(seen);
      // One MERGE (Delta runs no UPDATE with a subquery): live rows with no seen id are marked.
      const marked = await run(
        driver,
        "mark rows not seen by the full pass",
        `MERGE INTO ${tableName(silver)} t USING (SELECT ${q("page_id")} FROM ${seenName} WHERE ${q("run_id")} = ${p("run")} AND ${q("database_key")} = ${p("key")}) v ` +
          `ON t.${q("page_id")} = v.${q("page_id")} WHEN NOT MATCHED BY SOURCE AND NOT t.${q("_is_deleted")} THEN UPDATE SET ${q("_is_deleted")} = TRUE, ` +
          `${q("_deleted_at")} = CAST(${p("at")} AS TIMESTAMP), ${q("_synced_at")} = CAST(${p("at")} AS TIMESTAMP), ${q("_run_id")} = ${p("run")}, ${q("_row_hash")} = 'unseen:' || t.${q("_row_hash")}`,
        silver,
        { at: scope.at, run: scope.runId, key: scope.databaseKey },
      );
      // This run's ids, and those an interrupted earlier pass left behind.
      await run(driver, "forget seen ids", `DELETE FROM ${seenName} WHERE ${q("database_key")} = ${p("key")}`, seen, { key: scope.databaseKey });
      return marked ?? 0;
    },
    async replaceRows(table, rows) {
      if (!dialect.capabilities.transactions) {
        // One atomic, idempotent statement where there are no transactions.
        const cols = table.columns.map((c) => q(c.name)).join(", ");
        if (rows.length === 0) await run(driver, "replace rows", `DELETE FROM ${tableName(table)}`, table);
        else await withStaged(table, rows, (staged) => run(driver, "replace rows", `INSERT OVERWRITE ${tableName(table)} (${cols}) SELECT ${cols} FROM ${staged.source}`, table, staged.params));
        return;
      }
      await driver.begin();
      try {
        await run(driver, "replace rows", `DELETE FROM ${tableName(table)}`, table);
        await insertRows(table, rows);
        await driver.commit();
      } catch (error) {
        await driver.rollback().catch(() => undefined);
        throw error;
      }
    },
    execute: (sql, params) => run(driver, "statement", sql, undefined, params),
    query: (sql, params) => read(driver, "query", sql, undefined, params),
    tableName,
    quote: q,
    functions: dialect.functions,
    close: () => driver.close(),
  };
}

/** Runs one statement that writes; returns the rows it affected where the engine says. */
async function run(driver: Driver, purpose: string, sql: string, table?: TableSpec, params?: Readonly<Record<string, unknown>>): Promise<number | undefined> {
  try {
    return await driver.execute(sql, params);
  } catch (error) {
    throw statementFailed(purpose, sql, table, error);
  }
}

/** Runs one statement that reads. */
async function read(driver: Driver, purpose: string, sql: string, table?: Pick<TableSpec, "schema" | "name">, params?: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>[]> {
  try {
    return await driver.query(sql, params);
  } catch (error) {
    throw statementFailed(purpose, sql, table, error);
  }
}

/**
 * What a failed statement was for and on which table: the engine's WarehouseError told again with
 * both (its kind and retry rule kept). The SQL's head is shown, never values. An error that already
 * names its table (e.g. DuckDB's staging) passes through.
 */
function statementFailed(purpose: string, sql: string, table: Pick<TableSpec, "schema" | "name"> | undefined, error: unknown): SyncError {
  if (error instanceof SyncError && error.context.table) return error;
  const where = table ? ` on ${table.schema}.${table.name}` : "";
  const failure = isWarehouseError(error) ? error : new WarehouseError("other", describeError(error), { retry: "never", cause: error });
  return failure.restate(`warehouse statement failed${where} (${purpose}): ${failure.message} [${sql.slice(0, 120)}${sql.length > 120 ? "…" : ""}]`, table ? { table: `${table.schema}.${table.name}` } : {});
}

function isoOf(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}
