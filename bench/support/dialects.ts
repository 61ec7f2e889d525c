import type { AppConfig } from "../../src/config/index.js";
import { databricksDialect } from "../../src/warehouse/databricks/databricks-dialect.js";
import type { Dialect } from "../../src/warehouse/index.js";
import { duckDbDialect } from "../../src/warehouse/duckdb/duckdb-dialect.js";
import { duckDbSettings } from "./figures.js";
import { recordingSession, type StatementLatency } from "./recording-session.js";
import { recordingDialect } from "./statement-counts.js";

/** The slow warehouse of scenario 10: every write statement 2 s, every read 0.3 s (a serverless SQL warehouse, warm). */
export const SLOW_WAREHOUSE: StatementLatency = { writeMs: 2_000, readMs: 300 };

/** The Databricks dialect over a session that records (see recording-session.ts), with the real driver on it. */
const recordedDatabricks = (latency?: StatementLatency): Dialect =>
  databricksDialect({ catalog: "main", maxRetries: 0, openSession: () => Promise.resolve(recordingSession(latency)) });

/**
 * The dialects a bench sync can write through, by name (the engine process gets the name, not the
 * object). `real` ones write a scratch warehouse (and the copy is checked); recorded ones run the
 * same batching through a driver that records statements and answers nothing, which is what a full
 * sync into an empty warehouse sends. Databricks is one of the recorded ones: it is not reachable here;
 * `databricks_slow` also takes a serverless warehouse's time per statement.
 */
export const DIALECTS = {
  duckdb: { real: true, dialect: (settings: AppConfig["warehouse"]): Dialect => duckDbDialect(duckDbSettings(settings)) },
  // The recording method on an engine that runs here too: its counts must equal the real ones.
  duckdb_recorded: { real: false, dialect: (settings: AppConfig["warehouse"]): Dialect => recordingDialect(duckDbDialect(duckDbSettings(settings))) },
  // The SQL itself runs on Spark + Delta in npm run test:conformance. The real driver stages the
  // rows, so the bytes each statement carries are measured too.
  databricks_recorded: { real: false, dialect: (): Dialect => recordedDatabricks() },
  databricks_slow: { real: false, dialect: (): Dialect => recordedDatabricks(SLOW_WAREHOUSE) },
} as const;

export type DialectName = keyof typeof DIALECTS;
