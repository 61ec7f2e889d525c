import { setTimeout as sleep } from "node:timers/promises";
import pRetry, { AbortError } from "p-retry";
import type { Driver, StagedRows } from "../dialect.js";
import type { Row, TableSpec } from "../table-spec.js";
import type { WarehouseObserver } from "../warehouse.js";
import { isWarehouseError, mayRetry, WarehouseError } from "../warehouse-error.js";
import { toDatabricksError } from "./databricks-errors.js";
import { retryAfterMs } from "./databricks-startup.js";
import { rowsJson, rowsRelation } from "./databricks-sql.js";

/** One session on an engine that speaks Databricks SQL, with named parameters (`:name`). */
export interface StatementSession {
  /** Runs one statement and returns its result rows (a MERGE answers with one row of counts). */
  run(sql: string, params: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
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
 * idempotent statements (it may have run), with exponential backoff and jitter, by the rules of
 * DATABRICKS_RETRY. Failures leave as WarehouseErrors with the driver's error as `cause`.
 */
export function createDatabricksDriver(session: StatementSession, options: DatabricksDriverOptions): Driver {
  const run = (sql: string, params: Readonly<Record<string, unknown>> = {}) => runWithRetry(session, options, sql, params);
  const noTransactions = () => Promise.reject(new Error("Databricks runs no multi-statement transactions (capabilities.transactions is false)"));
  return {
    async execute(sql, params) {
      const [first] = await run(sql, params);
      const affected = first?.num_affected_rows;
      return affected === undefined || affected === null ? undefined : Number(affected);
    },
    query: (sql, params) => run(sql, params),
    stage: (table, rows) => Promise.resolve(stageRows(table, rows)),
    begin: noTransactions,
    commit: noTransactions,
    rollback: noTransactions,
    async columnsOf(schema, table) {
      try {
        return describedColumns(await run(`DESCRIBE TABLE ${options.qualify(schema, table)}`));
      } catch (error) {
        if (isWarehouseError(error) && error.kind === "missing_table") return undefined;
        throw error;
      }
    },
    close: () => session.close(),
  };
}

/**
 * One statement, sent again while its failure allows; the last attempt's error counts the attempts.
 * A refusal that says when to come back (`Retry-After`, in seconds) waits that long instead of the
 * backoff: at most `maxRetries` such waits, besides the backoff's own retries.
 */
function runWithRetry(
  session: StatementSession,
  options: DatabricksDriverOptions,
  sql: string,
  params: Readonly<Record<string, unknown>>,
): Promise<Record<string, unknown>[]> {
  let attempts = 0;
  let waitsAsked = 0;
  const maxWaitMs = 30 * options.retryDelayMs;
  const askedWait = (error: Error, retriesLeft: number) => {
    const asked = retriesLeft > 0 && waitsAsked < options.maxRetries ? retryAfterMs(error) : undefined;
    // Never longer than the backoff's own longest wait: an hour's Retry-After would stall the run.
    return asked === undefined ? undefined : Math.min(asked, maxWaitMs);
  };
  // p-retry unwraps AbortError: a failure that may not be retried is thrown as it is.
  return pRetry(
    async () => {
      attempts += 1;
      try {
        return await session.run(sql, params);
      } catch (error) {
        const translated = toDatabricksError(error);
        const failed = attempts > 1 ? translated.restate(`${translated.message} (after ${attempts} attempts)`) : translated;
        throw mayRetry(failed, sql) ? failed : new AbortError(failed);
      }
    },
    {
      retries: options.maxRetries,
      minTimeout: options.retryDelayMs,
      maxTimeout: maxWaitMs,
      factor: 2,
      randomize: true,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        const waitMs = askedWait(error, retriesLeft);
        if (retriesLeft > 0 || waitMs !== undefined)
          options.observer.retry?.({ attempt: attemptNumber, kind: isWarehouseError(error) ? error.kind : "other", message: error.message });
        if (waitMs !== undefined) await sleep(waitMs);
      },
      // A wait the warehouse asked for replaces the backoff: such a retry is counted apart, and follows at once.
      shouldConsumeRetry: ({ error, retriesLeft }) => {
        if (askedWait(error, retriesLeft) === undefined) return true;
        waitsAsked += 1;
        return false;
      },
    },
  );
}

/** A batch as ONE JSON string parameter that `from_json` expands; refused when it is more than a statement may carry. */
function stageRows(table: TableSpec, rows: readonly Row[]): StagedRows {
  const json = rowsJson(table, rows);
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_ROWS_PARAM_BYTES) {
    throw new WarehouseError(
      "too_large",
      `the batch for ${table.schema}.${table.name} is ${(bytes / 2 ** 20).toFixed(1)} MiB as JSON, over the ${MAX_ROWS_PARAM_BYTES / 2 ** 20} MiB one Databricks statement may carry: lower settings.batch_max_bytes (or batch_size) in the mapping`,
      {
        retry: "never",
        context: { table: `${table.schema}.${table.name}` },
      },
    );
  }
  return { source: rowsRelation(table, `:${ROWS_PARAM}`), params: { [ROWS_PARAM]: json }, release: () => Promise.resolve() };
}

/** DESCRIBE TABLE's answer: the column list ends where the partitioning and metadata sections start. */
function describedColumns(rows: readonly Record<string, unknown>[]): { name: string; type: string }[] {
  const columns: { name: string; type: string }[] = [];
  for (const row of rows) {
    const name = typeof row.col_name === "string" ? row.col_name : "";
    if (name === "" || name.startsWith("#")) break;
    columns.push({ name, type: typeof row.data_type === "string" ? row.data_type : "" });
  }
  return columns;
}
