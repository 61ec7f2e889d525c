import type { Dialect, Driver } from "../../src/warehouse/index.js";

/**
 * Warehouse statements counted at the driver, by what they do. `writes` are the statements that
 * change data (MERGE, INSERT, UPDATE, DELETE) other than the run log; `runRecords` are the INSERTs
 * into the run log (`sync_runs`, one per database per run by design). `stages` are batches made
 * readable to one statement (a temp table with DuckDB's appender; a JSON parameter on Databricks,
 * where it is no statement at all); `transactions` counts BEGIN/COMMIT/ROLLBACK.
 */
export interface StatementCounts {
  writes: number;
  /** Writes by target table (qualified, as the dialect quotes it), run log included. */
  writesByTable: Record<string, number>;
  runRecords: number;
  reads: number;
  ddl: number;
  stages: number;
  rowsStaged: number;
  transactions: number;
  /** Wall milliseconds the engine spent waiting on the driver (statements, staging, transactions). */
  driverMs: number;
  /** Bytes of the parameters the `writes` carried (on Databricks a batch's rows travel as one), and the most one carried. */
  writeParamBytes: number;
  maxWriteParamBytes: number;
}

export function emptyCounts(): StatementCounts {
  return {
    writes: 0,
    writesByTable: {},
    runRecords: 0,
    reads: 0,
    ddl: 0,
    stages: 0,
    rowsStaged: 0,
    transactions: 0,
    driverMs: 0,
    writeParamBytes: 0,
    maxWriteParamBytes: 0,
  };
}

const WRITE = /^\s*(?:MERGE\s+INTO|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\S+)/i;
const DDL = /^\s*(CREATE|ALTER|DROP)\b/i;
const RUN_LOG = /^\s*(?:INSERT|MERGE)\s+INTO\s+\S*sync_runs\b/i;

/** What one statement does, by its SQL text: a write of data, a run-log INSERT, DDL, or a read. */
export function statementKind(sql: string): "write" | "run_record" | "ddl" | "read" {
  if (RUN_LOG.test(sql)) return "run_record";
  if (WRITE.test(sql)) return "write";
  return DDL.test(sql) ? "ddl" : "read";
}

/** Classifies one statement's SQL text (and the bytes of its parameters) into `counts`. */
export function countStatement(counts: StatementCounts, sql: string, params: Readonly<Record<string, unknown>> = {}): void {
  const target = WRITE.exec(sql)?.[1];
  if (target !== undefined) counts.writesByTable[target] = (counts.writesByTable[target] ?? 0) + 1;
  const kind = statementKind(sql);
  if (kind === "run_record") counts.runRecords += 1;
  else if (kind === "write") {
    counts.writes += 1;
    const bytes = Object.values(params).reduce<number>((n, v) => n + (typeof v === "string" ? Buffer.byteLength(v) : 0), 0);
    counts.writeParamBytes += bytes;
    counts.maxWriteParamBytes = Math.max(counts.maxWriteParamBytes, bytes);
  } else if (kind === "ddl") counts.ddl += 1;
  else counts.reads += 1;
}

/** Wraps a driver so that every statement it runs is counted and timed; what it answers is unchanged. */
export function countingDriver(driver: Driver, counts: StatementCounts): Driver {
  const timed = <T>(work: () => Promise<T>): Promise<T> => {
    const at = performance.now();
    return work().finally(() => (counts.driverMs += performance.now() - at));
  };
  return {
    execute: (sql, params) => (countStatement(counts, sql, params), timed(() => driver.execute(sql, params))),
    query: (sql, params) => (countStatement(counts, sql, params), timed(() => driver.query(sql, params))),
    stage: (table, rows) => {
      counts.stages += 1;
      counts.rowsStaged += rows.length;
      return timed(() => driver.stage(table, rows));
    },
    begin: () => ((counts.transactions += 1), timed(() => driver.begin())),
    commit: () => ((counts.transactions += 1), timed(() => driver.commit())),
    rollback: () => ((counts.transactions += 1), timed(() => driver.rollback())),
    columnsOf: (schema, table) => ((counts.reads += 1), timed(() => driver.columnsOf(schema, table))),
    close: () => driver.close(),
  };
}

/** The same dialect, with a driver that counts into `counts`. */
export function countingDialect(dialect: Dialect, counts: StatementCounts): Dialect {
  return { ...dialect, createDriver: async () => countingDriver(await dialect.createDriver(), counts) };
}

/**
 * The same dialect with a driver that runs nothing: statements are recorded, reads answer no rows,
 * and every table is absent. A full sync into an empty warehouse sends exactly these statements
 * (nothing exists yet, so every page is new), which is how an engine that is not available here
 * (Databricks) gets its statement count from the same batching. With a `catalog`, the tables it
 * names exist, with those columns (kept by whoever knows what was created: tee-warehouse.ts).
 */
export function recordingDialect(dialect: Dialect, catalog?: RecordedCatalog): Dialect {
  const driver: Driver = {
    execute: async () => undefined,
    query: async () => [],
    stage: async () => ({ source: "recorded_rows", params: {}, release: async () => undefined }),
    begin: async () => undefined,
    commit: async () => undefined,
    rollback: async () => undefined,
    columnsOf: async (schema, table) => catalog?.get(`${schema}.${table}`),
    close: async () => undefined,
  };
  return { ...dialect, createDriver: async () => driver };
}

/** Tables a recording driver answers as existing, by `schema.table`, with their columns as the engine names their types. */
export type RecordedCatalog = Map<string, { name: string; type: string }[]>;
