import { createEventBus } from "../../src/observability/events.js";
import { createLogger } from "../../src/observability/logger.js";
import { runSync } from "../../src/pipeline/index.js";
import { databricksDialect } from "../../src/warehouse/databricks/databricks-dialect.js";
import { createWarehouse, openWarehouse } from "../../src/warehouse/index.js";
import type { BenchWorkspace } from "./bench-workspace.js";
import { dayProbes } from "./day-probes.js";
import { serverlessDialect } from "./serverless-dialect.js";
import { ServerlessWarehouse, SimClock, type Use } from "./serverless-warehouse.js";
import { recordingDialect, type RecordedCatalog } from "./statement-counts.js";
import { teeWarehouse } from "./tee-warehouse.js";

const MINUTE = 60_000;

/** The day: when it starts, each scheduled run (with the pages edited before it), the probe interval. */
export interface DayPlan {
  readonly from: number;
  readonly to: number;
  readonly runs: readonly { readonly at: number; readonly edits: number }[];
  readonly probeEveryMs: number;
}

/** One scheduled run as measured: when it started and ended (simulated), the uses of the warehouse it made. */
export interface RunRecord {
  readonly at: number;
  readonly end: number;
  readonly edits: number;
  /** A database was read in full: the periodic reconcile (its duty, like the edits', is to open the warehouse). */
  readonly reconcile: boolean;
  readonly uses: readonly Use[];
  readonly rowsUpserted: number;
  readonly ok: boolean;
}

export interface DayRecord {
  readonly plan: DayPlan;
  readonly warehouse: ServerlessWarehouse;
  readonly runs: readonly RunRecord[];
  readonly probes: { readonly ticks: number; readonly duringRuns: number; readonly sessions: number };
}

/**
 * A plan of `runs` runs every 30 minutes from `startHour` UTC of the day after tomorrow (the seeded
 * pages, stamped by the real clock, stay in the day's past), with `edits` pages edited before
 * each run in working hours (08:00–16:00), and a readiness probe every 10 s until the last run's slot ends.
 */
export function dayPlan(runs: number, edits: number, startHour = 0, realNow = Date.now()): DayPlan {
  const from = (Math.floor(realNow / (24 * 60 * MINUTE)) + 2) * 24 * 60 * MINUTE + startHour * 60 * MINUTE;
  const slots = Array.from({ length: runs }, (_v, i) => {
    const at = from + i * 30 * MINUTE;
    const hour = new Date(at).getUTCHours();
    return { at, edits: hour >= 8 && hour < 16 ? edits : 0 };
  });
  return { from, to: from + runs * 30 * MINUTE, runs: slots, probeEveryMs: 10_000 };
}

/**
 * Runs the day: a full sync an hour before it (not counted), then each scheduled run of the real
 * engine (`runSync`, its `now` the simulated clock, the sandbox's clock set to it before each run, its warehouse opened through the model: the scratch
 * DuckDB file for the state, the Databricks dialect's recording driver for the statements, see
 * tee-warehouse.ts), the sandbox's pages edited before the runs that bring edits, and the probes in
 * between. Nothing sleeps: the clock moves to each probe and run, and by each statement's latency.
 */
export async function simulateDay(ws: BenchWorkspace, plan: DayPlan, databaseKey: string): Promise<DayRecord> {
  const config = ws.config();
  const logger = createLogger({ level: "error", format: "json", destination: process.stderr });
  const events = createEventBus();
  const clock = new SimClock(plan.from - 60 * MINUTE);
  const catalog: RecordedCatalog = new Map();
  const sync = async (warehouse: ServerlessWarehouse, tag: string, full: boolean) =>
    runSync({ config, logger, events, now: () => new Date(clock.now()), openWarehouse: modelOpener(warehouse, clock, tag, catalog) }, { full });
  // Notion's clock follows the simulated one: edits are stamped, and answers dated, in the day's time.
  await ws.sandbox.setTime(clock.now());
  // The worker runs from before the day (a day in its steady state): its first contact, which loads the
  // KPIs' status, is the setup's sync, outside the day. A worker start costs that one contact.
  const warehouse = new ServerlessWarehouse();
  const probes = dayProbes({ config, events, logger, clock, warehouse, startAt: plan.from, intervalMs: plan.probeEveryMs });
  const setup = await sync(new ServerlessWarehouse(), "setup", true);
  if (!setup.ok) throw new Error(`the full sync before the day failed: ${failures(setup.summaries)}`);
  const runs: RunRecord[] = [];
  for (const [index, slot] of plan.runs.entries()) {
    await probes.until(slot.at);
    clock.advanceTo(slot.at);
    await ws.sandbox.setTime(clock.now());
    if (slot.edits > 0) await ws.sandbox.changePages(databaseKey, slot.edits, "Planned", 10_000 * (index + 1));
    const first = warehouse.uses.length;
    const result = await sync(warehouse, `run ${index + 1}`, false);
    const reconcile = result.summaries.some((summary) => summary.mode === "full");
    runs.push({
      at: slot.at,
      end: clock.now(),
      edits: slot.edits,
      reconcile,
      uses: warehouse.uses.slice(first),
      rowsUpserted: rowsOf(result.summaries),
      ok: result.ok,
    });
    probes.skipTo(clock.now());
  }
  await probes.until(plan.to);
  return { plan, warehouse, runs, probes: probes.counts };
}

const rowsOf = (summaries: readonly { rowsUpserted: number }[]) => summaries.reduce((n, s) => n + s.rowsUpserted, 0);
const failures = (summaries: readonly { databaseKey: string; status: string; error: string | null }[]) =>
  summaries
    .filter((s) => s.status === "failed")
    .map((s) => `${s.databaseKey}: ${s.error}`)
    .join("; ");

/**
 * The run's warehouse: the scratch DuckDB file of the settings for the answers, teed with the
 * Databricks dialect over a recording driver (its catalog kept across the day) behind the model.
 */
function modelOpener(warehouse: ServerlessWarehouse, clock: SimClock, tag: string, catalog: RecordedCatalog): typeof createWarehouse {
  return async (settings, observer) => {
    const real = await createWarehouse(settings, observer);
    const databricks = databricksDialect({
      catalog: "main",
      maxRetries: 0,
      openSession: () => Promise.reject(new Error("the recording driver opens no session")),
    });
    const shadow = await openWarehouse(serverlessDialect(recordingDialect(databricks, catalog), warehouse, clock, tag)).catch(async (error: unknown) => {
      await real.close();
      throw error;
    });
    return teeWarehouse(real, shadow, databricks, catalog);
  };
}
