import type { Measurement, Scenario } from "../bench-types.js";
import { benchWorkspace, type SyncRun } from "../support/bench-workspace.js";
import { CHAIN, needsUsers, round } from "../support/figures.js";
import { verifyCopy } from "../support/verify-copy.js";
import { measureTransform } from "./transform-throughput.js";

const RAW = "2. raw throughput (full sync, no rate limit, no latency)";
const NOOP = "3. incremental no-op (nothing changed since the last run)";
const SMALL = "4. incremental small change (50 pages changed)";
const CHANGED = 50;

/**
 * 2–4 on one workspace, in order: a full sync of the three chained databases with no rate limit or
 * latency (and the transform alone, per core), then an incremental run with nothing changed, then
 * one after 50 budget lines changed. The copy is checked against the sandbox after each run.
 */
export const syncChain: Scenario = {
  name: "2–4. full sync, incremental no-op, incremental small change",
  async run({ quick }) {
    const lines = quick ? 5_000 : 20_000;
    const ws = await benchWorkspace({ scale: lines });
    try {
      const check = async (scenario: string) => verifyCopy(scenario, ws.config(), await ws.sandbox.expectedPages(CHAIN));
      const full = await ws.sync({ databases: CHAIN, full: true });
      await check(RAW);
      const transform = await measureTransform(ws.sandbox, quick);
      const noop = await ws.sync({ databases: CHAIN });
      await check(NOOP);
      const changedIds = await ws.sandbox.changePages("budget_lines", CHANGED, "Planned", 1_000);
      const changed = changedIds.length;
      const small = await ws.sync({ databases: CHAIN });
      await check(SMALL);
      const updated = small.engine.result.summaries.find((s) => s.databaseKey === "budget_lines")?.rowsUpserted ?? 0;
      if (updated !== changed) throw new Error(`${SMALL}: ${updated} budget_lines rows upserted, ${changed} pages changed`);
      const usersList = needsUsers(ws.config(), ["budget_lines"]) ? 1 : 0;
      return [raw(full, transform, lines), noopResult(noop), smallResult(small, usersList, lines, await ws.sandbox.dependentMinimum(changedIds))];
    } finally {
      await ws.close();
    }
  },
};

function raw(run: SyncRun, transform: Awaited<ReturnType<typeof measureTransform>>, lines: number): Measurement {
  return {
    name: RAW,
    figures: {
      pages: run.pagesRead,
      wall_seconds: round(run.seconds),
      pages_per_second: Math.round(run.pagesRead / run.seconds),
      requests: run.requests.total,
      transform_pages: transform.pages,
      transform_cpu_seconds: transform.cpuSeconds,
      transform_pages_per_second_per_core: transform.pagesPerSecondPerCore,
      transform_pages_per_calibration: transform.pagesPerCalibration,
      transform_calibration_ms: transform.calibrationMs,
    },
    bound: { target_transform_pages_per_second_per_core: 20_000 },
    judge: (f) => f.transform_pages_per_second_per_core! >= 20_000,
    notes: `${CHAIN.join(", ")}; ${lines} budget lines; end to end includes the relation reads, DuckDB writes and the reconcile; the transform is CPU time of one core in a process of its own, over the pages the sandbox serves; transform_pages_per_calibration = pages transformed in the CPU time of one calibration loop (transform_calibration_ms, timed in the same process just before): comparable across machines`,
  };
}

/**
 * Statements a run sent, as figures: `write_statements` change synced data (bronze, silver,
 * quarantine, seen ids); `write_statements_including_run_log` adds the sync_runs INSERTs (one per
 * database per run, by design); `all_statements` is every statement sent: those, the reads, the DDL
 * (CREATE SCHEMA/TABLE IF NOT EXISTS, ALTER) and BEGIN/COMMIT/ROLLBACK. Staging a batch for a
 * statement (DuckDB's appender, Databricks' JSON parameter) is not a statement of its own.
 */
function statementFigures(run: SyncRun): Record<string, number> {
  const s = run.statements;
  return {
    write_statements: s.writes,
    write_statements_including_run_log: s.writes + s.runRecords,
    run_record_inserts: s.runRecords,
    read_statements: s.reads,
    ddl_statements: s.ddl,
    transaction_statements: s.transactions,
    all_statements: s.writes + s.runRecords + s.reads + s.ddl + s.transactions,
  };
}

/** A quiet run: the live and the trash query per database, nothing else (no schema, no users list, no completion), and no statement. */
function noopResult(run: SyncRun): Measurement {
  const queriesPerDatabase = run.requests.queries / CHAIN.length;
  return {
    name: NOOP,
    figures: {
      requests: run.requests.total,
      queries_per_database: round(queriesPerDatabase),
      relation_item_requests: run.requests.propertyItems,
      pages_reread: run.pagesRead,
      ...statementFigures(run),
      wall_seconds: round(run.seconds),
    },
    bound: { max_requests: 2 * CHAIN.length, max_all_statements: 0 },
    judge: (f, b) => f.requests! <= b.max_requests! && f.all_statements === 0,
    notes:
      "requests per database = the live query plus the trash query (in_trash: true; API 2025-09-03 has no single query for both); pages_reread are the lookback window's, known from the watermark's recent window (not completed again); " +
      "all_statements counts every statement (reads, DDL, transactions, writes, the run log): a quiet run opens no warehouse, and its sync_runs records wait beside the watermarks for the next run that opens it",
  };
}

function smallResult(run: SyncRun, usersList: number, lines: number, dependent: { pages: number; requests: number }): Measurement {
  const refreshed = run.engine.result.summaries.find((s) => s.databaseKey === "budget_lines")?.dependentRefresh;
  // Per database its trash query and one live answer (the changed one: ceil(changed/100)); the changed database's schema and users list; the refresh's schema of projects and its reads.
  const minRequests = 2 * CHAIN.length - 1 + Math.ceil(CHANGED / 100) + 1 + usersList + 1 + dependent.requests;
  // A MERGE into bronze and one into silver per 500 rows, and the watermark row that commits with the batch (state travels with the data).
  const minWrites = 2 * Math.ceil(CHANGED / 500) + 1;
  return {
    name: SMALL,
    figures: {
      requests: run.requests.total,
      query_requests: run.requests.queries,
      relation_item_requests: run.requests.propertyItems,
      pages_read: run.pagesRead,
      rows_upserted: run.rowsUpserted,
      dependent_refresh_pages: refreshed?.pagesRead ?? 0,
      dependent_refresh_requests: refreshed?.requests ?? 0,
      dependent_refresh_deferred: refreshed?.deferred ?? 0,
      ...statementFigures(run),
      wall_seconds: round(run.seconds),
    },
    bound: { min_requests: minRequests, min_dependent_refresh_requests: dependent.requests, min_write_statements: minWrites },
    judge: (f, b) => f.requests! <= b.min_requests! * 1.05 && f.write_statements! <= b.min_write_statements!,
    notes: `${CHANGED} of ${lines} budget lines changed (Planned); min_requests = per database 1 trash query and ceil(changed/100) query pages (at least 1), the changed database's schema (its data source id from the watermark: no GET database) and users list where its mapping needs it, + the dependent refresh's schema of projects (the ${dependent.pages} projects related to the changed lines read by id, with their cut relation and the rollup over it from the property endpoint; their rows do not change, Planned is not rolled up, but a run cannot know which property changed); min writes = one MERGE into bronze and one into silver per 500 rows, and the watermark row committed with the batch (the trash pass runs first, so it needs no state write of its own; judged on write_statements; the sync_runs INSERTs, one per database, are in write_statements_including_run_log and all_statements)`,
  };
}
