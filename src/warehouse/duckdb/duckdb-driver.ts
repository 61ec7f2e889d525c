import { dirname } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { SyncError } from "../../errors.js";
import { makeDirectories, writableOrCreatable } from "../../state/writable.js";
import type { Driver, StagedRows } from "../dialect.js";
import type { Row, TableSpec } from "../table-spec.js";
import { duckDbTypeName } from "./duckdb-dialect.js";
import { qualifyDuckDb, quoteDuckDb } from "./duckdb-sql.js";
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
  const { path } = options;
  const readOnly = options.readOnly ?? false;
  const { DuckDBInstance } = await import("@duckdb/node-api");
  if (path !== ":memory:" && !readOnly) {
    const dir = writableOrCreatable(dirname(path));
    if (!dir.ok) throw new SyncError("warehouse_terminal", `cannot create the DuckDB file ${path}: ${dir.reason} (set DUCKDB_PATH to a writable place)`);
    makeDirectories(dirname(path));
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { memory_limit: options.memoryLimit, threads: String(options.threads), ...(readOnly ? { access_mode: "READ_ONLY" } : {}) });
  } catch (error) {
    const locked = /lock/i.test((error as Error).message);
    throw new SyncError("warehouse_terminal", `cannot open the DuckDB file ${path}: ${(error as Error).message}${locked ? " (another process has it open; close it and retry)" : ""}`, { cause: error, transient: locked });
  }
  const connection: DuckDBConnection = await instance.connect();
  let stageCounter = 0;

  return {
    async execute(sql, params) {
      const result = await connection.runAndReadAll(sql, params as Record<string, never> | undefined);
      // DuckDB answers DML with one row holding the affected count.
      const rows = result.getRows();
      const first = rows[0]?.[0];
      return result.columnNames()[0] === "Count" && first !== undefined && first !== null ? Number(first) : undefined;
    },
    async query(sql, params) {
      const result = await connection.runAndReadAll(sql, params as Record<string, never> | undefined);
      return result.getRowObjectsJS() as Record<string, unknown>[];
    },
    async stage(table: TableSpec, rows: readonly Row[]): Promise<StagedRows> {
      const name = `nds_stage_${++stageCounter}`;
      const columns = table.columns.map((c) => `${quoteDuckDb(c.name)} ${duckDbTypeName(c.type)}`).join(", ");
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${quoteDuckDb(name)} (${columns})`);
      const appender = await connection.createAppender(name, "main", "temp");
      try {
        for (const row of rows) {
          for (const column of table.columns) appendValue(appender, column.type, row[column.name]);
          appender.endRow();
        }
        appender.closeSync();
      } catch (error) {
        appender.closeSync();
        throw new SyncError("warehouse_terminal", `cannot stage rows for ${table.schema}.${table.name}: ${(error as Error).message}`, { cause: error, context: { table: `${table.schema}.${table.name}` } });
      }
      const source = qualifyDuckDb("temp", "main", name);
      return { source, params: {}, release: () => connection.run(`DROP TABLE IF EXISTS ${source}`).then(() => undefined) };
    },
    begin: () => connection.run("BEGIN TRANSACTION").then(() => undefined),
    commit: () => connection.run("COMMIT").then(() => undefined),
    rollback: () => connection.run("ROLLBACK").then(() => undefined),
    async columnsOf(schema, table) {
      const result = await connection.runAndReadAll(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = $schema AND table_name = $table ORDER BY ordinal_position",
        { schema, table },
      );
      const columns = result.getRows().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
      return columns.length === 0 ? undefined : columns;
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
