import { SyncError } from "../errors.js";
import type { Dialect, Driver } from "./dialect.js";
import { isWarehouseError } from "./warehouse-error.js";
import { read, run, statementFailed, withStaged, type TableName } from "./statements.js";
import type { Row, TableSpec } from "./table-spec.js";
import type { SqlSession, TypeChange } from "./warehouse.js";

/**
 * The SQL session over a dialect's driver: tables created or widened, rows appended or replaced,
 * and raw statements for data quality, reports and the worker. The sync's own operations
 * (`sql-warehouse.ts`) build on it.
 */
export function createSqlSession(dialect: Dialect, driver: Driver): SqlSession {
  const q = (name: string) => dialect.quoteIdentifier(name);
  const tableName = (t: TableName) => dialect.qualify(t.schema, t.name);

  const columnsOf = (table: TableName) => describe(dialect, driver, table);
  const schemasCreated = new Set<string>();

  async function insertRows(table: TableSpec, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    await withStaged(driver, table, rows, async (staged) => {
      const cols = table.columns.map((c) => q(c.name)).join(", ");
      await run(driver, "insert rows", `INSERT INTO ${tableName(table)} (${cols}) SELECT ${cols} FROM ${staged.source}`, table, staged.params);
    });
  }

  async function replaceRows(table: TableSpec, rows: readonly Row[]): Promise<void> {
    if (!dialect.capabilities.transactions) {
      // One atomic, idempotent statement where there are no transactions.
      const cols = table.columns.map((c) => q(c.name)).join(", ");
      if (rows.length === 0) await run(driver, "replace rows", `DELETE FROM ${tableName(table)}`, table);
      else
        await withStaged(driver, table, rows, (staged) =>
          run(driver, "replace rows", `INSERT OVERWRITE ${tableName(table)} (${cols}) SELECT ${cols} FROM ${staged.source}`, table, staged.params),
        );
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
  }

  return {
    async ensureTables(tables) {
      const created: string[] = [];
      for (const table of tables) if (await ensureTable(dialect, driver, table, schemasCreated)) created.push(`${table.schema}.${table.name}`);
      return created;
    },
    tableExists: async (table) => (await columnsOf(table)) !== undefined,
    insertRows,
    replaceRows,
    execute: (sql, params) => run(driver, "statement", sql, undefined, params),
    query: (sql, params) => read(driver, "query", sql, undefined, params),
    tableName,
    quote: q,
    functions: dialect.functions,
  };
}

/** The columns a table has now, or undefined if it does not exist. */
async function describe(dialect: Dialect, driver: Driver, table: TableName): Promise<{ name: string; type: string }[] | undefined> {
  try {
    return await driver.columnsOf(table.schema, table.name);
  } catch (error) {
    throw statementFailed("describe table", `DESCRIBE ${dialect.qualify(table.schema, table.name)}`, table, error);
  }
}

/**
 * CREATE SCHEMA IF NOT EXISTS, where a refusal of a schema that exists is no failure: Unity Catalog
 * may ask for CREATE SCHEMA on the catalog even then, which a principal granted only USE SCHEMA and
 * CREATE TABLE on existing schemas lacks. The check costs a statement only after a refusal.
 */
async function createSchema(dialect: Dialect, driver: Driver, schema: string): Promise<void> {
  try {
    await run(driver, "create schema", `CREATE SCHEMA IF NOT EXISTS ${dialect.qualifySchema(schema)}`);
  } catch (error) {
    if (!isWarehouseError(error) || error.kind !== "permission") throw error;
    const exists = await driver.query(`DESCRIBE SCHEMA ${dialect.qualifySchema(schema)}`).then(
      () => true,
      () => false,
    );
    if (!exists) throw error;
  }
}

/**
 * Creates the table (and its schema, once per session) when it is absent, or adds the columns it
 * lacks. A table that exists costs one DESCRIBE and no DDL: on Databricks each statement costs. A
 * column whose type changed is refused, naming what to do.
 */
async function ensureTable(dialect: Dialect, driver: Driver, table: TableSpec, schemasCreated: Set<string>): Promise<boolean> {
  const q = (name: string) => dialect.quoteIdentifier(name);
  const existing = await describe(dialect, driver, table);
  if (!existing) {
    if (!schemasCreated.has(table.schema)) {
      await createSchema(dialect, driver, table.schema);
      schemasCreated.add(table.schema);
    }
    const columns = table.columns.map((c) => `${q(c.name)} ${dialect.typeName(c.type)}`).join(", ");
    await run(
      driver,
      "create table",
      `CREATE TABLE IF NOT EXISTS ${dialect.qualify(table.schema, table.name)} (${columns})${dialect.createTableSuffix(table)}`,
      table,
    );
    return true;
  }
  const have = new Map(existing.map((c) => [c.name.toLowerCase(), c.type]));
  const changed = typeChangesOf(dialect, existing, table);
  if (changed.length > 0) {
    const list = changed.map((c) => `${c.column} is ${c.have} in the warehouse but ${c.want} in the mapping`).join("; ");
    throw new SyncError(
      "warehouse_terminal",
      `table ${table.schema}.${table.name}: ${list}. Rebuild it from bronze with the new type: \`npm run rebuild -- --database KEY ${changed.map((c) => `--replace-column ${c.column}`).join(" ")}\` (or give the column a new column_name)`,
      { context: { table: `${table.schema}.${table.name}` } },
    );
  }
  const missing = table.columns.filter((c) => !have.has(c.name));
  for (const statement of missing.length > 0 ? dialect.addColumns(table, missing) : []) await run(driver, "add columns", statement, table);
  return false;
}

/** The columns of `table` whose type in the warehouse (`existing`) differs from the spec's. */
export function typeChangesOf(dialect: Dialect, existing: readonly { name: string; type: string }[], table: TableSpec): TypeChange[] {
  const have = new Map(existing.map((c) => [c.name.toLowerCase(), c.type]));
  const normalize = (type: string) => type.toUpperCase().replace(/\s+/g, "");
  return table.columns
    .filter((c) => have.has(c.name) && normalize(have.get(c.name)!) !== normalize(dialect.typeName(c.type)))
    .map((c) => ({ column: c.name, have: have.get(c.name)!, want: dialect.typeName(c.type) }));
}

/** The columns whose type changed, for a rebuild to check (none when the table does not exist). */
export async function typeChanges(dialect: Dialect, driver: Driver, table: TableSpec): Promise<TypeChange[]> {
  const existing = await describe(dialect, driver, table);
  return existing ? typeChangesOf(dialect, existing, table) : [];
}
