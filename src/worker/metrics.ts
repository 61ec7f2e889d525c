import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { EventBus } from "../observability/events.js";
import type { WorkerStatus } from "./status.js";

/**
 * Prometheus metrics of the worker, fed by sync events. Freshness is computed when scraped, from the
 * same state as /api/kpis, so both always agree.
 */
export function createMetrics(events: EventBus, kpis: WorkerStatus, now: () => number = Date.now): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "nds_process_" });
  const requests = new Counter({ name: "nds_notion_requests_total", help: "Notion HTTP requests by status", labelNames: ["status"], registers: [registry] });
  const rateLimited = new Counter({ name: "nds_notion_rate_limit_waits_total", help: "429/529 answers that paused the pacer", registers: [registry] });
  const rateLimitSeconds = new Counter({ name: "nds_notion_rate_limit_wait_seconds_total", help: "Seconds of Retry-After the pacer was paused for", registers: [registry] });
  const retries = new Counter({ name: "nds_notion_retries_total", help: "Notion requests retried, by error code", labelNames: ["code"], registers: [registry] });
  const warehouseRetries = new Counter({ name: "nds_warehouse_retries_total", help: "Warehouse statements sent again, by failure kind (conflict, unavailable, interrupted)", labelNames: ["kind"], registers: [registry] });
  const pages = new Counter({ name: "nds_pages_read_total", help: "Pages read from Notion and committed", labelNames: ["database"], registers: [registry] });
  const upserted = new Counter({ name: "nds_rows_upserted_total", help: "Silver rows inserted or updated", labelNames: ["database"], registers: [registry] });
  const quarantined = new Counter({ name: "nds_rows_quarantined_total", help: "Rows with at least one invalid value", labelNames: ["database"], registers: [registry] });
  const databaseRuns = new Counter({ name: "nds_database_syncs_total", help: "Database syncs by status", labelNames: ["database", "status"], registers: [registry] });
  const duration = new Histogram({ name: "nds_run_duration_seconds", help: "Duration of sync runs", buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600], registers: [registry] });
  new Gauge({ name: "nds_run_in_progress", help: "1 while a sync run is in progress", registers: [registry], collect() { this.set(kpis.running ? 1 : 0); } });
  new Gauge({
    name: "nds_last_success_timestamp_seconds", help: "When each database last synced successfully", labelNames: ["database"], registers: [registry],
    collect() {
      for (const [key, db] of kpis.databases) if (db.lastSuccessAt) this.set({ database: key }, db.lastSuccessAt.getTime() / 1000);
    },
  });
  new Gauge({
    name: "nds_freshness_minutes", help: "Minutes since each database last synced successfully", labelNames: ["database"], registers: [registry],
    collect() {
      for (const [key, db] of kpis.databases) if (db.lastSuccessAt) this.set({ database: key }, (now() - db.lastSuccessAt.getTime()) / 60_000);
    },
  });
  events.on("notion:request", (e) => requests.inc({ status: String(e.status) }));
  events.on("notion:rate_limited", (e) => {
    rateLimited.inc();
    rateLimitSeconds.inc(e.retryAfterMs / 1000);
  });
  events.on("notion:retry", (e) => retries.inc({ code: e.code }));
  events.on("warehouse:retry", (e) => warehouseRetries.inc({ kind: e.kind }));
  // Counted per committed batch, so a long database shows its progress.
  events.on("batch:loaded", (e) => {
    pages.inc({ database: e.databaseKey }, e.pages);
    upserted.inc({ database: e.databaseKey }, e.rowsUpserted);
    quarantined.inc({ database: e.databaseKey }, e.quarantined);
  });
  events.on("database:done", (e) => databaseRuns.inc({ database: e.databaseKey, status: e.status }));
  const runs = new Counter({ name: "nds_runs_total", help: "Sync runs by result: ok, failed (a database failed), error (the run could not start)", labelNames: ["result"], registers: [registry] });
  events.on("run:done", (e) => runs.inc({ result: e.error ? "error" : e.summaries.some((s) => s.status === "failed") ? "failed" : "ok" }));
  const skippedTicks = new Counter({ name: "nds_ticks_skipped_total", help: "Scheduled ticks skipped because a run was still in progress or another process held the lock", labelNames: ["reason"], registers: [registry] });
  const dqScore = new Gauge({ name: "nds_dq_score", help: "Score of the latest data-quality check (0-100)", registers: [registry] });
  const dqIssues = new Gauge({ name: "nds_dq_issues", help: "Problems found by the latest data-quality check", registers: [registry] });
  events.on("dq:checked", (e) => {
    dqScore.set(e.score);
    dqIssues.set(e.issues);
  });
  events.on("run:done", (e) => duration.observe(e.durationMs / 1000));
  events.on("worker:tick_skipped", (e) => skippedTicks.inc({ reason: e.reason }));
  const probes = new Counter({ name: "nds_warehouse_probes_total", help: "Times the worker opened the warehouse only to see whether it answers (readiness, KPIs at start), by result", labelNames: ["result"], registers: [registry] });
  events.on("worker:probed", (e) => probes.inc({ result: e.ok ? "ok" : "failed" }));
  const staleLocks = new Counter({ name: "nds_stale_locks_taken_over_total", help: "Run locks taken over from a holder that had stopped (its heartbeat went stale)", registers: [registry] });
  events.on("lock:acquired", (e) => e.takenOver && staleLocks.inc());
  const heldBack = new Counter({ name: "nds_pages_held_back_total", help: "Pages stamped later than the clock allows, held back from silver and the watermark", labelNames: ["database"], registers: [registry] });
  events.on("page:held_back", (e) => heldBack.inc({ database: e.databaseKey }));
  return registry;
}
