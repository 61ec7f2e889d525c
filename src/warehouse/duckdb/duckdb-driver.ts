import { dirname } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { makeDirectories, writableOrCreatable } from "../../state/writable.js";
import type { Driver, StagedRows } from "../dialect.js";
import type { ColumnType } from "../../config/index.js";
import type { Row, TableSpec } from "../table-spec.js";
import { cellText } from "../statements.js";
import { WarehouseError } from "../warehouse-error.js";
import { toDuckDbError } from "./duckdb-errors.js";
import { catalogName, duckDbTypeName, qualifyDuckDb, quoteDuckDb, stringLiteral } from "./duckdb-sql.js";
import { appendValue, stagedColumn, stagedTypeName } from "./duckdb-values.js";

/**
 * One DuckDB connection on one file. The file is opened for a run and closed after it, because
 * DuckDB lets one process write a file and keeps every other process out while it is open.
 */
export interface DuckDbOptions {
  readonly path: string;
  /** DuckDB's buffer-pool limit (e.g. `256MB`); DuckDB spills to disk beyond it. */
  readonly memoryLimit: string;
  readonly threads: number;
  /** Rows per row group of the tables in the file (ATTACH's ROW_GROUP_SIZE); unset: DuckDB's 122,880. */
  readonly rowGroupSize?: number;
  /** Open an existing file read-only (preflight): nothing is created or changed. */
  readonly readOnly?: boolean;
}

export async function createDuckDbDriver(options: DuckDbOptions): Promise<Driver> {
  const { instance, connection } = await openFile(options);
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

/**
 * DuckDB's allocator keeps what a statement freed for the next one unless a bulk free passes this
 * threshold (512 MB by default); at 1 MiB it hands the freed memory of each batch's statements back
 * (bench/duckdb-memory-probe.ts, 100,000 rows: 245–253 MB peak RSS against 276–299 MB).
 */
const ALLOCATOR = { allocator_bulk_deallocation_flush_threshold: "1MiB" };

/** Opens the file (creating its directory unless read-only), or says why it cannot. */
async function openFile(options: DuckDbOptions): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
  const { path } = options;
  const readOnly = options.readOnly ?? false;
  const { DuckDBInstance } = await import("@duckdb/node-api");
  if (path !== ":memory:" && !readOnly) {
    const dir = writableOrCreatable(dirname(path));
    if (!dir.ok)
      throw new WarehouseError("permission", `cannot create the DuckDB file ${path}: ${dir.reason} (set DUCKDB_PATH to a writable place)`, { retry: "never" });
    makeDirectories(dirname(path));
  }
  const config = { memory_limit: options.memoryLimit, threads: String(options.threads), ...ALLOCATOR };
  let instance: DuckDBInstance | undefined;
  try {
    if (path === ":memory:") instance = await DuckDBInstance.create(path, config);
    else instance = await DuckDBInstance.create(":memory:", { ...config, temp_directory: `${path}.tmp` });
    const connection = await instance.connect();
    if (path !== ":memory:") await attachFile(connection, options, readOnly);
    return { instance, connection };
  } catch (error) {
    instance?.closeSync();
    const failure = toDuckDbError(error);
    throw failure.restate(
      `cannot open the DuckDB file ${path}: ${failure.message}${failure.kind === "locked" ? " (another process has it open; close it and retry)" : ""}`,
    );
  }
}

/**
 * The file ATTACHed to an in-memory instance and made the connection's default catalog, because
 * only ATTACH takes a row-group size: with DuckDB's default (122,880 rows) a 100,000-page table is
 * one row group that every checkpoint rewrites, page JSON included, so memory grew with the table.
 * The spill directory (set on the instance) is the one DuckDB gives a file it opens itself.
 */
async function attachFile(connection: DuckDBConnection, options: DuckDbOptions, readOnly: boolean): Promise<void> {
  const attachOptions = [...(options.rowGroupSize ? [`ROW_GROUP_SIZE ${options.rowGroupSize}`] : []), ...(readOnly ? ["READ_ONLY"] : [])];
  const alias = quoteDuckDb(catalogName(options.path));
  await connection.run(`ATTACH ${stringLiteral(options.path)} AS ${alias}${attachOptions.length > 0 ? ` (${attachOptions.join(", ")})` : ""}`);
  await connection.run(`USE ${alias}`);
}

/**
 * Rows appended to a temporary table of `table`'s shape, readable by one statement, dropped on
 * release. Lists arrive as JSON text in a table of their own (see {@link stagedTypeName}) and one
 * INSERT makes them lists in the typed table, which DuckDB can page out: parsed inside the MERGE
 * instead, the JSON did not fit a 32 MB buffer pool.
 */
async function stageRows(
  connection: DuckDBConnection,
  run: (sql: string) => Promise<void>,
  name: string,
  table: TableSpec,
  rows: readonly Row[],
): Promise<StagedRows> {
  const typed = qualifyDuckDb("temp", "main", name);
  const lists = table.columns.some((c) => c.type.kind === "array_string");
  const appendTo = lists ? `${name}_text` : name;
  const columns = (typeName: (type: ColumnType) => string) => table.columns.map((c) => `${quoteDuckDb(c.name)} ${typeName(c.type)}`).join(", ");
  await run(`CREATE OR REPLACE TEMP TABLE ${typed} (${columns(duckDbTypeName)})`);
  if (lists) await run(`CREATE OR REPLACE TEMP TABLE ${qualifyDuckDb("temp", "main", appendTo)} (${columns(stagedTypeName)})`);
  const appender = await connection.createAppender(appendTo, "main", "temp");
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
  if (lists) {
    const text = qualifyDuckDb("temp", "main", appendTo);
    await run(`INSERT INTO ${typed} SELECT ${table.columns.map((c) => stagedColumn(c.name, c.type)).join(", ")} FROM ${text}`);
    await run(`DROP TABLE ${text}`);
  }
  return { source: typed, params: {}, release: () => run(`DROP TABLE IF EXISTS ${typed}`) };
}
