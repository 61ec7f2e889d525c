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
 * answers nothing, which is what a full sync into an empty warehouse sends. Databricks is one of the
 * recorded ones (`databricks_recorded`): it is not reachable here.
 */
export const COST_DIALECTS: readonly { readonly name: string; readonly real: boolean; readonly dialect: (settings: AppConfig["warehouse"]) => Dialect }[] = [
  { name: "duckdb", real: true, dialect: (settings) => duckDbDialect(duckDbSettings(settings)) },
  // The recording method on an engine that runs here too: its counts must equal the real ones.
  { name: "duckdb_recorded", real: false, dialect: (settings) => recordingDialect(duckDbDialect(duckDbSettings(settings))) },
  // Databricks is not reachable here: its statements are recorded from the same batching (the SQL
  // itself runs on Spark + Delta in npm run test:conformance).
  {
    name: "databricks_recorded",
    real: false,
    dialect: () =>
      recordingDialect(
        databricksDialect({ catalog: "main", maxRetries: 0, openSession: () => Promise.reject(new Error("the recording driver opens no session")) }),
      ),
  },
];

const DATABASES = ["budget_lines"];
/** The reconcile at the end of a full pass: the MERGE that marks unseen silver rows, the DELETE of the seen ids. */
const RECONCILE_WRITES = 2;
/** What a full sync must write per batch of the live pass: MERGE into bronze, MERGE into silver, INSERT of the seen ids. */
const LIVE_BATCH_WRITES = 3;
/** Per batch of the trash pass (trashed pages are written, not remembered as seen): bronze and silver. */
const TRASH_BATCH_WRITES = 2;

/**
 * 5. Warehouse cost: write statements per 10,000 upserted rows and rows per write statement, per
 * dialect, over a full sync of budget lines into an empty warehouse. The bound is fixed by what a
 * full sync must write, not by what the run wrote: per batch of live pages (batch_size each) a MERGE
 * into bronze, one into silver and the seen-ids INSERT; per batch of trashed pages the two MERGEs;
 * a quarantine INSERT per batch that holds invalid values (at most one per quarantined page, and
 * never more than the batches); and the reconcile's two statements.
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
      const batchSize = config.mapping.settings.batch_size;
      const dataSourceId = ws.sandbox.databases.budget_lines!.dataSourceId;
      const live = ws.sandbox.store.pageIds(dataSourceId).length;
      const trashed = ws.sandbox.store.pageIds(dataSourceId, { includeTrashed: true }).length - live;
      const liveBatches = Math.ceil(live / batchSize);
      const trashBatches = Math.ceil(trashed / batchSize);
      const batches = liveBatches + trashBatches;
      for (const entry of COST_DIALECTS) {
        ws.freshWarehouse();
        const run = await ws.sync({ databases: DATABASES, full: true, dialect: entry.dialect });
        if (entry.real) await verifyCopy(this.name, ws.config(), expectedPages(ws.sandbox, DATABASES));
        const rows = run.rowsUpserted;
        // Which batches hold invalid values is the engine's validation: taken from the run's own count
        // of quarantined pages (each such batch holds at least one), capped by the number of batches.
        const quarantinedPages = run.result.summaries.reduce((n, s) => n + s.rowsQuarantined, 0);
        const quarantineInserts = Math.min(batches, quarantinedPages);
        const perTable = Object.entries(run.statements.writesByTable).filter(([table]) => !/sync_runs/.test(table));
        figures[`${entry.name}_rows_upserted`] = rows;
        figures[`${entry.name}_write_statements`] = run.statements.writes;
        figures[`${entry.name}_writes_per_10k_rows`] = round((run.statements.writes / rows) * 10_000, 1);
        figures[`${entry.name}_rows_per_write`] = round(rows / run.statements.writes, 1);
        figures[`${entry.name}_all_statements_per_10k_rows`] = round(
          ((run.statements.writes + run.statements.reads + run.statements.ddl + run.statements.runRecords) / rows) * 10_000,
          1,
        );
        figures[`${entry.name}_tables_written`] = perTable.length;
        figures[`${entry.name}_quarantined_pages`] = quarantinedPages;
        const maxWrites = liveBatches * LIVE_BATCH_WRITES + trashBatches * TRASH_BATCH_WRITES + quarantineInserts + RECONCILE_WRITES;
        bound[`${entry.name}_max_writes`] = maxWrites;
        met &&= run.statements.writes <= maxWrites;
      }
      bound.live_batches = liveBatches;
      bound.trash_batches = trashBatches;
      bound.batch_size = batchSize;
      const same = figures.duckdb_write_statements === figures.duckdb_recorded_write_statements;
      return [
        {
          name: this.name,
          figures,
          bound,
          target_met: met && same,
          notes: `full sync of ${lines} budget lines per dialect; a write is a MERGE/INSERT/UPDATE/DELETE (the sync_runs record excluded); max_writes = 3 per batch of live pages (bronze and silver MERGEs, seen-ids INSERT) + 2 per batch of trashed pages + one quarantine INSERT per batch with invalid values, counted as min(batches, the run's quarantined pages) + the reconcile's MERGE into silver and DELETE of the seen ids; batches = ceil(pages / batch_size) of each pass, from the sandbox; duckdb_recorded must equal duckdb (it does: ${same})`,
        },
      ];
    } finally {
      await ws.close();
    }
  },
};
