import type { Scenario } from "../bench-types.js";
import { benchWorkspace } from "../support/bench-workspace.js";
import { dayFigures, dayTargetMet } from "../support/day-figures.js";
import { dayPlan, simulateDay } from "../support/day-simulation.js";
import { verifyCopy } from "../support/verify-copy.js";

const EDITED = "budget_lines";
/** Pages edited in the sandbox before each run in working hours. */
const EDITS_PER_RUN = 5;

/**
 * 9. A day on the schedule: the worker's 48 runs (every 30 minutes) over a simulated day, all the
 * mapping's databases, with pages of budget lines edited in the sandbox before the 16 runs in working
 * hours (08:00–16:00 UTC) and a readiness probe every 10 simulated seconds, against a model of a
 * serverless warehouse (serverless-warehouse.ts: a use while it is stopped wakes it with a 5 s cold
 * start; it stops after 10 idle minutes). `--quick`: the 16 runs of 04:00–12:00 (8 with edits).
 *
 * Measured (the real engine, time simulated, nothing sleeps): each run is `runSync` with `now` the
 * simulated clock and its warehouse opened through the model (a scratch DuckDB file holds the state
 * and answers; the Databricks dialect's recording driver is sent the same calls, and its sessions and
 * statements are what the model counts: tee-warehouse.ts); each probe is the worker's
 * `WarehouseAccess.ready` at the probe's simulated time, its sessions learned from `worker:probed`
 * (one session and one `SELECT 1` each: the status reads of a first probe are not counted). So
 * statements, sessions, wakes and awake minutes per day, and those of quiet runs and probes, are
 * measured; each use's latency (0.5 s a session, 0.3 s a read, 2 s a write or DDL) is the model's.
 *
 * Computed from the measured uses, replayed through the same model (day-figures.ts): the minimum the
 * edits and the daily reconcile need (the uses of the writing runs and of the run that reads databases
 * in full, which opens the warehouse by design to mark what vanished), and today's behaviour: every run opens the warehouse (a
 * quiet run's own uses where it opened it, as on main before issue 17; else the first writing run's
 * uses without its writes, counted in `today_quiet_runs_computed`) and every probe outside a run opens
 * a session and sends `SELECT 1` (the old 2 s cache is always stale at 10 s). Targets: quiet runs and
 * probes send no statement, and the warehouse is awake at most 1.1 × the minimum. The worker runs from
 * before the day (its first contact, the status load of a start, is the setup's sync). The data-quality
 * check the worker runs after a sync is not in the day (its warehouse cannot be reached through the model).
 */
export const dayOnSchedule: Scenario = {
  name: "9. a day on the schedule (serverless warehouse model, runs every 30 min, a probe every 10 s)",
  async run({ quick, repetition }) {
    // Counts of a simulated day, the same in every repetition: measured once per bench run.
    if (repetition > 0) return [];
    const plan = quick ? dayPlan(16, EDITS_PER_RUN, 4) : dayPlan(48, EDITS_PER_RUN);
    const ws = await benchWorkspace({ scale: quick ? 500 : 2_000 });
    try {
      const record = await simulateDay(ws, plan, EDITED);
      const failed = record.runs.filter((r) => !r.ok).length;
      if (failed > 0) throw new Error(`${this.name}: ${failed} of ${record.runs.length} runs did not sync every database`);
      const config = ws.config();
      await verifyCopy(this.name, config, await ws.sandbox.expectedPages(config.mapping.databases.map((d) => d.key)));
      const { figures, bound } = dayFigures(record);
      return [
        {
          name: this.name,
          figures,
          bound,
          judge: dayTargetMet,
          notes:
            `${plan.runs.length} runs, ${EDITS_PER_RUN} ${EDITED} pages edited before each of the ${figures.writing_runs} in 08:00–16:00 UTC; ` +
            "measured: the engine's statements and sessions (the Databricks dialect's recording driver, teed with a scratch DuckDB file for the state) and the probes' sessions, through the serverless model (5 s cold start, stop after 10 idle minutes); " +
            "computed by replaying those uses through the model: min_* (the writing runs and the daily reconcile's run alone) and today_* (every run opens the warehouse, every probe outside a run sends SELECT 1); " +
            "awake minutes are clipped to the simulated day; the data-quality check after a sync is not simulated",
        },
      ];
    } finally {
      await ws.close();
    }
  },
};
