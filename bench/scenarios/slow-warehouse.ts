import type { RequestLogEntry } from "../../src/sandbox/index.js";
import type { Scenario } from "../bench-types.js";
import { benchWorkspace } from "../support/bench-workspace.js";
import { SLOW_WAREHOUSE } from "../support/dialects.js";
import { round } from "../support/figures.js";
import { loadAverage1m } from "../support/machine.js";
import { CopyMismatchError } from "../support/verify-copy.js";

const RPS = 3;
/** Scenario 6's large sync: budget lines and the projects they reference (100,041 pages at full size). */
const DATABASES = ["projects", "budget_lines"];
const TARGET_RATIO = 1.15;
const NAME = "10. slow warehouse (2 s per write statement, 0.3 s per read, 3 rps)";

/**
 * Seconds Notion's chain stood still: the gaps between consecutive requests beyond the pacer's
 * interval. Reading waits for nothing else, so this is the time the reader waited for the writer
 * (a full queue), or for the run's steps between databases.
 */
function notionIdleSeconds(log: readonly RequestLogEntry[]): number {
  const at = log.map((e) => e.at).sort((a, b) => a - b);
  let idle = 0;
  for (let i = 1; i < at.length; i += 1) idle += Math.max(0, at[i]! - at[i - 1]! - 1_000 / RPS);
  return idle / 1_000;
}

/**
 * 10. Slow warehouse: a full sync at Notion's 3 requests/s into the Databricks dialect through the
 * real driver over a recording session that takes 2 s per write statement and 0.3 s per read
 * (bench/support/recording-session.ts). With the reader going on while a batch is written and batches
 * sized by what one statement may carry, Notion's rate and not the warehouse bounds the run: target
 * wall ≤ 1.15 × requests / 3 s. Statements, their bytes and Notion's idle time are measured; the
 * copy cannot be checked (nothing is stored), so the pages read are checked against the sandbox.
 */
export const slowWarehouse: Scenario = {
  name: NAME,
  async run({ quick }) {
    const lines = quick ? 10_000 : 100_000;
    const ws = await benchWorkspace({ scale: lines, rps: RPS });
    try {
      await ws.sandbox.setRateLimit(RPS);
      const env = { NOTION_RPS: String(RPS), NOTION_BURST: String(RPS) };
      const from = await ws.sandbox.mark();
      const loadBefore = loadAverage1m();
      const run = await ws.sync({ databases: DATABASES, full: true, env, dialect: "databricks_slow" });
      const loadAfter = loadAverage1m();
      const log = await ws.sandbox.requestLog(from);
      let expected = 0;
      for (const key of DATABASES) expected += (await ws.sandbox.pageCounts(key)).all;
      if (run.pagesRead !== expected) throw new CopyMismatchError(`${NAME}: the sync read ${run.pagesRead} pages, the sandbox has ${expected}`);
      const s = run.statements;
      const notionBound = run.requests.total / RPS;
      const bronzeMerges = Object.entries(s.writesByTable).reduce((n, [table, count]) => n + (/ppm_bronze/.test(table) ? count : 0), 0);
      return [
        {
          name: NAME,
          figures: {
            pages: run.pagesRead,
            requests: run.requests.total,
            wall_seconds: round(run.seconds),
            notion_bound_seconds: round(notionBound),
            ratio: round(run.seconds / notionBound, 3),
            notion_idle_seconds: round(notionIdleSeconds(log)),
            warehouse_seconds: round(s.driverMs / 1_000),
            write_statements: s.writes,
            run_record_inserts: s.runRecords,
            ddl_statements: s.ddl,
            read_statements: s.reads,
            batches: bronzeMerges,
            pages_per_batch: round(run.pagesRead / Math.max(1, bronzeMerges), 1),
            bytes_per_write_statement: Math.round(s.writeParamBytes / Math.max(1, s.writes)),
            max_statement_bytes: s.maxWriteParamBytes,
            load_avg_1m_before: loadBefore,
            load_avg_1m_after: loadAfter,
          },
          bound: { rps: RPS, write_ms: SLOW_WAREHOUSE.writeMs, read_ms: SLOW_WAREHOUSE.readMs, target_ratio: TARGET_RATIO },
          judge: (f) => f.ratio! <= TARGET_RATIO,
          notes: `full sync of ${lines} budget lines and their projects into the Databricks dialect (real driver, recording session: ${SLOW_WAREHOUSE.writeMs} ms per MERGE/INSERT/UPDATE/DELETE/DDL, ${SLOW_WAREHOUSE.readMs} ms per read); notion_bound = requests / ${RPS} s with the requests the sandbox served; ratio = wall / notion_bound; notion_idle = the sandbox log's gaps beyond 1/${RPS} s (the reader waiting); bytes are those of the statements' parameters (a batch's rows as one JSON string)`,
        },
      ];
    } finally {
      await ws.close();
    }
  },
};
