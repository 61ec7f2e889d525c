import { databricksDialect } from "../../src/warehouse/databricks/databricks-dialect.js";
import type { AppConfig } from "../../src/config/index.js";
import type { Dialect } from "../../src/warehouse/index.js";
import { duckDbDialect } from "../../src/warehouse/duckdb/duckdb-dialect.js";
import type { Scenario } from "../bench-types.js";
import { benchWorkspace } from "../support/bench-workspace.js";
import { duckDbSettings, round } from "../support/figures.js";
import { expectedPages } from "../support/request-bound.js";
import { recordingDialect } from "../support/statement-counts.js";
import { verifyCopy } from "../support/verify-copy.js";

/**
 * The dialects whose statement cost is measured. `real` ones write a scratch warehouse (and the copy
 * is checked); recorded ones run the same batching through a driver that records statements and
 * answers nothing, which is what a full sync into an empty warehouse sends. The Databricks dialect
 * joins as `{ name: "databricks", real: false, dialect: (s) => recordingDialect(databricksDialect(…)) }`.
 */
export const COST_DIALECTS: readonly { readonly name: string; readonly real: boolean; readonly dialect: (settings: AppConfig["warehouse"]) => Dialect }[] = [
  { name: "duckdb", real: true, dialect: (settings) => duckDbDialect(duckDbSettings(settings)) },
  // The recording method on an engine that runs here too: its counts must equal the real ones.
  { name: "duckdb_recorded", real: false, dialect: (settings) => recordingDialect(duckDbDialect(duckDbSettings(settings))) },
  // Databricks is not reachable here: its statements are recorded from the same batching (the SQL
  // itself runs on Spark + Delta in npm run test:conformance).
  { name: "databricks_recorded", real: false, dialect: () => recordingDialect(databricksDialect({ catalog: "main", maxRetries: 0, openSession: () => Promise.reject(new Error("the recording driver opens no session")) })) },
];

const DATABASES = ["budget_lines"];
const RECONCILE_WRITES = 2;

/**
 * 5. Warehouse cost: write statements per 10,000 upserted rows and rows per write statement, per
 * dialect, over a full sync of budget lines into an empty warehouse. The bound is one statement per
 * table per batch: a MERGE into bronze and one into silver, the full pass's seen-ids INSERT, and a
 * quarantine INSERT in batches that hold invalid values.
 */
export const warehouseCost: Scenario = {
  name: "5. warehouse cost (statements per 10,000 upserted rows, per dialect)",
  async run({ quick }) {
    const lines = quick ? 5_000 : 20_000;
    const ws = await benchWorkspace({ scale: lines });
    const figures: Record<string, number> = {};
    const bound: Record<string, number> = {};
    let met = true;
    try {
      const config = ws.config();
      const batches = Math.ceil(ws.sandbox.store.pageIds(ws.sandbox.databases.budget_lines!.dataSourceId, { includeTrashed: true }).length / config.mapping.settings.batch_size);
      for (const entry of COST_DIALECTS) {
        ws.freshWarehouse();
        const run = await ws.sync({ databases: DATABASES, full: true, dialect: entry.dialect });
        if (entry.real) await verifyCopy(this.name, ws.config(), expectedPages(ws.sandbox, DATABASES));
        const rows = run.rowsUpserted;
        const perTable = Object.entries(run.statements.writesByTable).filter(([table]) => !/sync_runs/.test(table));
        const tablesWritten = perTable.length;
        figures[`${entry.name}_rows_upserted`] = rows;
        figures[`${entry.name}_write_statements`] = run.statements.writes;
        figures[`${entry.name}_writes_per_10k_rows`] = round((run.statements.writes / rows) * 10_000, 1);
        figures[`${entry.name}_rows_per_write`] = round(rows / run.statements.writes, 1);
        figures[`${entry.name}_all_statements_per_10k_rows`] = round(((run.statements.writes + run.statements.reads + run.statements.ddl + run.statements.runRecords) / rows) * 10_000, 1);
        figures[`${entry.name}_tables_written`] = tablesWritten;
        // One statement per table per batch, plus the reconcile's two (UPDATE silver, DELETE the seen ids).
        const maxWrites = batches * tablesWritten + RECONCILE_WRITES;
        bound[`${entry.name}_max_writes`] = maxWrites;
        met &&= run.statements.writes <= maxWrites;
      }
      bound.batches = batches;
      bound.batch_size = config.mapping.settings.batch_size;
      const same = figures.duckdb_write_statements === figures.duckdb_recorded_write_statements;
      return [{
        name: this.name, figures, bound, target_met: met && same,
        notes: `full sync of ${lines} budget lines per dialect; a write is a MERGE/INSERT/UPDATE/DELETE (the sync_runs record excluded); max_writes = one per table written per batch + the reconcile's MERGE into silver and DELETE of the seen ids; duckdb_recorded must equal duckdb (it does: ${same})`,
      }];
    } finally {
      await ws.close();
    }
  },
};
