import pRetry, { AbortError } from "p-retry";
import { SyncError } from "../../errors.js";
import type { Driver, StagedRows } from "../dialect.js";
import type { Row, TableSpec } from "../table-spec.js";
import type { WarehouseObserver } from "../warehouse.js";
import { classifyFailure, mayRetry, type Failure } from "./databricks-errors.js";
import { rowsJson, rowsRelation } from "./databricks-sql.js";

/** One session on an engine that speaks Databricks SQL, with named parameters (`:name`). */
export interface StatementSession {
  /** Runs one statement and returns its result rows (a MERGE answers with one row of counts). */
  run(sql: string, params: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** A failed statement as the one error class: transient when sending it later may help. */
function statementError(failure: Failure, attempts: number, cause: unknown): SyncError {
  const transient = failure.kind === "conflict" || failure.kind === "unavailable" || failure.kind === "interrupted";
  return new SyncError(transient ? "warehouse_transient" : "warehouse_terminal", attempts > 1 ? `${failure.message} (after ${attempts} attempts)` : failure.message, { cause, transient });
}

export interface DatabricksDriverOptions {
  readonly qualify: (...parts: string[]) => string;
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  readonly observer: WarehouseObserver;
}

const ROWS_PARAM = "nds_rows";
/** A statement carries at most 16 MiB; the JSON of a batch keeps a margin below it. */
const MAX_ROWS_PARAM_BYTES = 15 * 2 ** 20;

/**
 * The Databricks driver over one session (reused for the run). The SQL driver retries no statement,
 * so this one does: Delta conflicts and refusals always (nothing ran), broken connections only for
 * idempotent statements (it may have run), with exponential backoff and jitter. Failures leave as
 * SyncErrors (transient or terminal) with the driver's error as `cause`.
 */
export function createDatabricksDriver(session: StatementSession, options: DatabricksDriverOptions): Driver {
  /** What each failed statement's error meant, classified once where it was caught. */
  const kinds = new WeakMap<Error, Failure["kind"]>();

  async function run(sql: string, params: Readonly<Record<string, unknown>> = {}): Promise<Record<string, unknown>[]> {
    let attempts = 0;
    // The last attempt's error is thrown (p-retry unwraps AbortError), its message counting the attempts.
    return pRetry(
      async () => {
        attempts += 1;
        try {
          return await session.run(sql, params);
        } catch (error) {
          const failure = classifyFailure(error);
          const failed = statementError(failure, attempts, error);
          kinds.set(failed, failure.kind);
          throw mayRetry(failure, sql) ? failed : new AbortError(failed);
        }
      },
      {
        retries: options.maxRetries,
        minTimeout: options.retryDelayMs,
        maxTimeout: 30 * options.retryDelayMs,
        factor: 2,
        randomize: true,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft > 0) options.observer.retry?.({ attempt: attemptNumber, kind: kinds.get(error) ?? "terminal", message: error.message });
        },
      },
    );
  }

  return {
    async execute(sql, params) {
      const [first] = await run(sql, params);
      const affected = first?.num_affected_rows;
      return affected === undefined || affected === null ? undefined : Number(affected);
    },
    query: (sql, params) => run(sql, params),
    async stage(table: TableSpec, rows: readonly Row[]): Promise<StagedRows> {
      const json = rowsJson(table, rows);
      const bytes = Buffer.byteLength(json);
      if (bytes > MAX_ROWS_PARAM_BYTES) {
        throw new SyncError("warehouse_terminal", `the batch for ${table.schema}.${table.name} is ${(bytes / 2 ** 20).toFixed(1)} MiB as JSON, over the ${MAX_ROWS_PARAM_BYTES / 2 ** 20} MiB one Databricks statement may carry: lower settings.batch_max_bytes (or batch_size) in the mapping`, {
          context: { table: `${table.schema}.${table.name}` },
        });
      }
      return { source: rowsRelation(table, `:${ROWS_PARAM}`), params: { [ROWS_PARAM]: json }, release: async () => undefined };
    },
    begin: () => Promise.reject(new Error("Databricks runs no multi-statement transactions (capabilities.transactions is false)")),
    commit: () => Promise.reject(new Error("Databricks runs no multi-statement transactions")),
    rollback: () => Promise.reject(new Error("Databricks runs no multi-statement transactions")),
    async columnsOf(schema, table) {
      let rows: Record<string, unknown>[];
      try {
        rows = await run(`DESCRIBE TABLE ${options.qualify(schema, table)}`);
      } catch (error) {
        if (error instanceof Error && kinds.get(error) === "not_found") return undefined;
        throw error;
      }
      const columns: { name: string; type: string }[] = [];
      // The column list ends where the partitioning/metadata sections start.
      for (const row of rows) {
        const name = String(row.col_name ?? "");
        if (name === "" || name.startsWith("#")) break;
        columns.push({ name, type: String(row.data_type) });
      }
      return columns;
    },
    close: () => session.close(),
  };
}
