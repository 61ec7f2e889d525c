import { dirname } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { makeDirectories, writableOrCreatable } from "../../state/writable.js";
import type { Driver, StagedRows } from "../dialect.js";
import type { Row, TableSpec } from "../table-spec.js";
import { cellText } from "../statements.js";
import { WarehouseError } from "../warehouse-error.js";
import { toDuckDbError } from "./duckdb-errors.js";
import { duckDbTypeName, qualifyDuckDb, quoteDuckDb } from "./duckdb-sql.js";
import { appendValue } from "./duckdb-values.js";

/**
 * One DuckDB connection on one file. The file is opened for a run and closed after it, because
 * DuckDB lets one process write a file and keeps every other process out while it is open.
 */
export interface DuckDbOptions {
  readonly path: string;
  /** DuckDB's buffer-pool limit (e.g. `256MB`); DuckDB spills to disk beyond it. */
  readonly memoryLimit: string;
  readonly threads: number;
  /** Open an existing file read-only (preflight): nothing is created or changed. */
  readonly readOnly?: boolean;
}

export async function createDuckDbDriver(options: DuckDbOptions): Promise<Driver> {
  const instance = await openInstance(options);
  const connection: DuckDBConnection = await instance.connect();
  let stageCounter = 0;
  /** Every statement's failure is translated here, once. */
  const runAndReadAll = (sql: string, params?: Readonly<Record<string, unknown>>) =>
    connection.runAndReadAll(sql, params as Record<string, never> | undefined).catch((error: unknown) => Promise.reject(toDuckDbError(error)));
  const run = (sql: string) =>
    connection.run(sql).then(
      () => undefined,
      (error: unknown) => Promise.reject(toDuckDbError(error)),
    );

  return {
    async execute(sql, params) {
      const result = await runAndReadAll(sql, params);
      // DuckDB answers DML with one row holding the affected count.
      const first = result.getRows()[0]?.[0];
      return result.columnNames()[0] === "Count" && first !== undefined && first !== null ? Number(first) : undefined;
    },
    query: async (sql, params) => (await runAndReadAll(sql, params)).getRowObjectsJS(),
    stage: (table, rows) => stageRows(connection, run, `nds_stage_${++stageCounter}`, table, rows),
    begin: () => run("BEGIN TRANSACTION"),
    commit: () => run("COMMIT"),
    rollback: () => run("ROLLBACK"),
    async columnsOf(schema, table) {
      const result = await runAndReadAll(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = $schema AND table_name = $table ORDER BY ordinal_position",
        { schema, table },
      );
      const columns = result.getRowObjectsJS().map((r) => ({ name: cellText(r.column_name), type: cellText(r.data_type) }));
      return columns.length === 0 ? undefined : columns;
    },
    close() {
      connection.closeSync();
      instance.closeSync();
      return Promise.resolve();
    },
  };
}

/** Opens the file (creating its directory unless read-only), or says why it cannot. */
async function openInstance(options: DuckDbOptions): Promise<DuckDBInstance> {
  const { path } = options;
  const readOnly = options.readOnly ?? false;
  const { DuckDBInstance } = await import("@duckdb/node-api");
  if (path !== ":memory:" && !readOnly) {
    const dir = writableOrCreatable(dirname(path));
    if (!dir.ok)
      throw new WarehouseError("permission", `cannot create the DuckDB file ${path}: ${dir.reason} (set DUCKDB_PATH to a writable place)`, { retry: "never" });
    makeDirectories(dirname(path));
  }
  try {
    return await DuckDBInstance.create(path, {
      memory_limit: options.memoryLimit,
      threads: String(options.threads),
      ...(readOnly ? { access_mode: "READ_ONLY" } : {}),
    });
  } catch (error) {
    const failure = toDuckDbError(error);
    throw failure.restate(
      `cannot open the DuckDB file ${path}: ${failure.message}${failure.kind === "locked" ? " (another process has it open; close it and retry)" : ""}`,
    );
  }
}

/** Rows appended to a temporary table of `table`'s shape, readable by one statement, dropped on release. */
async function stageRows(
  connection: DuckDBConnection,
  run: (sql: string) => Promise<void>,
  name: string,
  table: TableSpec,
  rows: readonly Row[],
): Promise<StagedRows> {
  const columns = table.columns.map((c) => `${quoteDuckDb(c.name)} ${duckDbTypeName(c.type)}`).join(", ");
  await run(`CREATE OR REPLACE TEMP TABLE ${quoteDuckDb(name)} (${columns})`);
  const appender = await connection.createAppender(name, "main", "temp");
  try {
    for (const row of rows) {
      for (const column of table.columns) appendValue(appender, column.type, row[column.name]);
      appender.endRow();
    }
    appender.closeSync();
  } catch (error) {
    appender.closeSync();
    const failure = toDuckDbError(error);
    throw failure.restate(`cannot stage rows for ${table.schema}.${table.name}: ${failure.message}`, { table: `${table.schema}.${table.name}` });
  }
  const source = qualifyDuckDb("temp", "main", name);
  return { source, params: {}, release: () => run(`DROP TABLE IF EXISTS ${source}`) };
}
