import { batchLimits } from "../../src/pipeline/batcher.js";
import type { Scenario } from "../bench-types.js";
import { benchWorkspace } from "../support/bench-workspace.js";
import { DIALECTS, type DialectName } from "../support/dialects.js";
import { round } from "../support/figures.js";
import { verifyCopy } from "../support/verify-copy.js";

/** The dialects whose statement cost is measured (see ../support/dialects.ts). */
const COST_DIALECTS: readonly DialectName[] = ["duckdb", "duckdb_recorded", "databricks_recorded"];

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
    try {
      const config = ws.config();
      const counts = await ws.sandbox.pageCounts("budget_lines");
      const live = counts.live;
      const trashed = counts.all - live;
      let rowBatches = { live: 0, trash: 0, size: 0 };
      for (const name of COST_DIALECTS) {
        const entry = { name, ...DIALECTS[name] };
        const limits = batchLimits(config.mapping.settings, entry.dialect(config.warehouse).capabilities);
        ws.freshWarehouse();
        const run = await ws.sync({ databases: DATABASES, full: true, dialect: name });
        if (entry.real) await verifyCopy(this.name, ws.config(), await ws.sandbox.expectedPages(DATABASES));
        // Batches of 500 rows (DuckDB) are counted from the sandbox's pages; batches bounded by the bytes
        // of a statement (Databricks) close where the pages' sizes say: their count is the run's bronze MERGEs.
        const byBytes = limits.maxRows >= live;
        const bronzeMerges = Object.entries(run.statements.writesByTable).reduce((n, [t, c]) => n + (/ppm_bronze/.test(t) ? c : 0), 0);
        const liveBatches = byBytes ? Math.max(1, bronzeMerges - (trashed > 0 ? 1 : 0)) : Math.ceil(live / limits.maxRows);
        const trashBatches = byBytes ? (trashed > 0 ? 1 : 0) : Math.ceil(trashed / limits.maxRows);
        if (!byBytes) rowBatches = { live: liveBatches, trash: trashBatches, size: limits.maxRows };
        const batches = liveBatches + trashBatches;
        const rows = run.rowsUpserted;
        // Which batches hold invalid values is the engine's validation: taken from the run's own count
        // of quarantined pages (each such batch holds at least one), capped by the number of batches.
        const quarantinedPages = run.rowsQuarantined;
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
        if (byBytes) figures[`${entry.name}_max_statement_bytes`] = run.statements.maxWriteParamBytes;
        const maxWrites = liveBatches * LIVE_BATCH_WRITES + trashBatches * TRASH_BATCH_WRITES + quarantineInserts + RECONCILE_WRITES;
        bound[`${entry.name}_max_writes`] = maxWrites;
        if (byBytes) bound[`${entry.name}_max_statement_bytes`] = limits.maxBytes;
      }
      bound.live_batches = rowBatches.live;
      bound.trash_batches = rowBatches.trash;
      bound.batch_size = rowBatches.size;
      const same = figures.duckdb_write_statements === figures.duckdb_recorded_write_statements;
      return [
        {
          name: this.name,
          figures,
          bound,
          // The counts are deterministic; the bound depends on the run's quarantined pages, so it is a median too.
          judge: (f, b) =>
            COST_DIALECTS.every((d) => f[`${d}_write_statements`]! <= b[`${d}_max_writes`]!) &&
            COST_DIALECTS.every((d) => (f[`${d}_max_statement_bytes`] ?? 0) <= (b[`${d}_max_statement_bytes`] ?? Infinity)) &&
            f.duckdb_write_statements === f.duckdb_recorded_write_statements,
          notes: `full sync of ${lines} budget lines per dialect; a write is a MERGE/INSERT/UPDATE/DELETE (the sync_runs record excluded); max_writes = 3 per batch of live pages (bronze and silver MERGEs, seen-ids INSERT) + 2 per batch of trashed pages + one quarantine INSERT per batch with invalid values, counted as min(batches, the run's quarantined pages) + the reconcile's MERGE into silver and DELETE of the seen ids; batches = ceil(pages / batch_size) of each pass, from the sandbox, where rows bound a batch (DuckDB), and the run's bronze MERGEs where the bytes of a statement do (Databricks: each carries at most max_statement_bytes); duckdb_recorded must equal duckdb (it does: ${same})`,
        },
      ];
    } finally {
      await ws.close();
    }
  },
};
