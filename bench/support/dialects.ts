import type { AppConfig } from "../../src/config/index.js";
import { databricksDialect } from "../../src/warehouse/databricks/databricks-dialect.js";
import type { Dialect } from "../../src/warehouse/index.js";
import { duckDbDialect } from "../../src/warehouse/duckdb/duckdb-dialect.js";
import { duckDbSettings } from "./figures.js";
import { recordingDialect } from "./statement-counts.js";

/**
 * The dialects a bench sync can write through, by name (the engine process gets the name, not the
 * object). `real` ones write a scratch warehouse (and the copy is checked); recorded ones run the
 * same batching through a driver that records statements and answers nothing, which is what a full
 * sync into an empty warehouse sends. Databricks is one of the recorded ones: it is not reachable here.
 */
export const DIALECTS = {
  duckdb: { real: true, dialect: (settings: AppConfig["warehouse"]): Dialect => duckDbDialect(duckDbSettings(settings)) },
  // The recording method on an engine that runs here too: its counts must equal the real ones.
  duckdb_recorded: { real: false, dialect: (settings: AppConfig["warehouse"]): Dialect => recordingDialect(duckDbDialect(duckDbSettings(settings))) },
  // The SQL itself runs on Spark + Delta in npm run test:conformance.
  databricks_recorded: {
    real: false,
    dialect: (): Dialect =>
      recordingDialect(
        databricksDialect({ catalog: "main", maxRetries: 0, openSession: () => Promise.reject(new Error("the recording driver opens no session")) }),
      ),
  },
} as const;

export type DialectName = keyof typeof DIALECTS;
