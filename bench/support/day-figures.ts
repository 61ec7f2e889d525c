import type { DayPlan, DayRecord, RunRecord } from "./day-simulation.js";
import { round } from "./figures.js";
import { LATENCY_MS } from "./serverless-dialect.js";
import { ServerlessWarehouse, type Use, type WarehouseReport } from "./serverless-warehouse.js";

type Uses = readonly Pick<Use, "kind" | "latencyMs">[];

/**
 * Recorded uses played again through a fresh model, in time order: each run's uses one after the
 * other from its start (each as long as it took, the model adding the cold starts again), and, when
 * `probes`, a session and its `SELECT 1` at every probe tick that falls outside a run.
 */
export function replay(plan: DayPlan, runs: readonly { readonly at: number; readonly uses: Uses }[], probes: boolean): WarehouseReport {
  const warehouse = new ServerlessWarehouse();
  let tick = plan.from;
  const probeUntil = (t: number) => {
    for (; tick < t; tick += plan.probeEveryMs) {
      if (probes) warehouse.use(warehouse.use(tick, "session", LATENCY_MS.session, "probe"), "read", LATENCY_MS.read, "probe");
    }
  };
  for (const run of runs) {
    probeUntil(run.at);
    let cursor = Math.max(run.at, warehouse.uses.at(-1)?.at ?? run.at);
    for (const use of run.uses) cursor = warehouse.use(cursor, use.kind, use.latencyMs, "run");
    // Ticks while the run is in flight are answered by the worker's running status.
    for (; tick < cursor; tick += plan.probeEveryMs);
  }
  probeUntil(plan.to);
  return warehouse.report(plan.from, plan.to);
}

const statementsOf = (uses: Uses) => uses.filter((u) => u.kind !== "session").length;
const sessionsOf = (uses: Uses) => uses.filter((u) => u.kind === "session").length;

/**
 * Today's behaviour (before issue 17): every run opens the warehouse and every probe opens a session
 * and sends `SELECT 1` (its 2 s cache is always stale at 10 s). A quiet run that opened the warehouse
 * keeps its own measured uses; one that did not gets those of the day's first writing run without its
 * writes of data (its session, reads, DDL, lease and run-record statements): `computed` counts those.
 */
export function todaysRuns(record: DayRecord): { runs: { at: number; uses: Uses }[]; computed: number } {
  const writing = record.runs.find((r) => r.edits > 0);
  const template = (writing?.uses ?? []).filter((u) => u.kind !== "write");
  let computed = 0;
  const runs = record.runs.map((r) => {
    if (r.edits > 0 || r.uses.length > 0) return { at: r.at, uses: r.uses };
    computed += 1;
    return { at: r.at, uses: template };
  });
  return { runs, computed };
}

/** The day's figures: measured through the live model, the minimum and today's computed by replaying recorded uses. */
export function dayFigures(record: DayRecord): { figures: Record<string, number>; bound: Record<string, number> } {
  const { plan, warehouse, runs } = record;
  const day = warehouse.report(plan.from, plan.to);
  // Quiet: no edits and no database due for its reconcile. The minimum is what the edits and the daily
  // reconcile need (a full read marks what vanished from Notion: it opens the warehouse by design).
  const quiet = runs.filter((r) => r.edits === 0 && !r.reconcile);
  const writing = runs.filter((r) => r.edits > 0);
  const reconciling = runs.filter((r) => r.edits === 0 && r.reconcile);
  const probeUses = warehouse.uses.filter((u) => u.tag === "probe");
  const minimum = replay(
    plan,
    [...writing, ...reconciling].sort((a, b) => a.at - b.at),
    false,
  );
  const today = todaysRuns(record);
  const before = replay(plan, today.runs, true);
  const all = (rs: readonly RunRecord[]) => rs.flatMap((r) => r.uses);
  const figures = {
    runs: runs.length,
    writing_runs: writing.length,
    reconcile_runs: reconciling.length,
    rows_upserted: runs.reduce((n, r) => n + r.rowsUpserted, 0),
    probe_ticks: record.probes.ticks,
    probe_ticks_during_runs: record.probes.duringRuns,
    statements_per_day: day.statements,
    sessions_per_day: day.sessions,
    wakes_per_day: day.wakes,
    awake_minutes_per_day: round(day.awakeMinutes, 1),
    quiet_run_statements: statementsOf(all(quiet)),
    quiet_run_sessions: sessionsOf(all(quiet)),
    writing_run_statements: statementsOf(all(writing)),
    reconcile_run_statements: statementsOf(all(reconciling)),
    probe_statements: statementsOf(probeUses),
    probe_sessions: sessionsOf(probeUses),
    awake_vs_minimum: round(day.awakeMinutes / minimum.awakeMinutes, 2),
    today_statements_per_day: before.statements,
    today_sessions_per_day: before.sessions,
    today_wakes_per_day: before.wakes,
    today_awake_minutes_per_day: round(before.awakeMinutes, 1),
    today_quiet_run_statements: statementsOf(today.runs.filter((_r, i) => runs[i]!.edits === 0).flatMap((r) => r.uses)),
    today_probe_statements: before.statements - statementsOf(today.runs.flatMap((r) => r.uses)),
    today_quiet_runs_computed: today.computed,
  };
  const bound = {
    min_awake_minutes: round(minimum.awakeMinutes, 1),
    min_wakes: minimum.wakes,
    min_statements: minimum.statements,
    target_quiet_run_statements: 0,
    target_probe_statements: 0,
    target_awake_vs_minimum: 1.1,
  };
  return { figures, bound };
}

/** Met when quiet runs and probes sent nothing and the warehouse was awake at most 1.1 × what the writing and reconciling runs alone need. */
export function dayTargetMet(f: Record<string, number>, b: Record<string, number>): boolean {
  return f.quiet_run_statements === 0 && f.probe_statements === 0 && f.awake_minutes_per_day! <= b.min_awake_minutes! * b.target_awake_vs_minimum!;
}
