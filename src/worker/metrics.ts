import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { EventBus } from "../observability/events.js";
import type { WorkerStatus } from "./status.js";

/**
 * Prometheus metrics of the worker, fed by sync events. Freshness is computed when scraped, from the
 * same state as /api/kpis, so both always agree.
 */
export function createMetrics(events: EventBus, status: WorkerStatus, now: () => number = Date.now): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "nds_process_" });
  const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] });
  notionMetrics(events, counter);
  syncMetrics(events, registry, counter);
  statusGauges(status, registry, now);
  workerMetrics(events, registry, counter);
  webhookMetrics(events, registry, counter);
  return registry;
}

function webhookMetrics(events: EventBus, registry: Registry, counter: CounterOf): void {
  const deliveries = counter(
    "nds_webhook_events_total",
    "Webhook deliveries by event type (unverified until the signature holds) and result: accepted, ignored, duplicate, handshake, rejected_signature, invalid, too_large",
    ["type", "result"],
  );
  const lag = new Histogram({
    name: "nds_webhook_lag_seconds",
    help: "From a webhook event's timestamp to the commit of the sync that read its database",
    buckets: [1, 2, 5, 10, 15, 30, 60, 120, 300, 900, 1800],
    registers: [registry],
  });
  events.on("webhook:event", (e) => deliveries.inc({ type: e.type, result: e.result }));
  events.on("webhook:synced", (e) => e.lagSeconds.forEach((s) => lag.observe(s)));
}

type CounterOf = (name: string, help: string, labelNames?: string[]) => Counter;

function notionMetrics(events: EventBus, counter: CounterOf): void {
  const requests = counter("nds_notion_requests_total", "Notion HTTP requests by status", ["status"]);
  const rateLimited = counter("nds_notion_rate_limit_waits_total", "429/529 answers that paused the pacer");
  const rateLimitSeconds = counter("nds_notion_rate_limit_wait_seconds_total", "Seconds of Retry-After the pacer was paused for");
  const retries = counter("nds_notion_retries_total", "Notion requests retried, by error code", ["code"]);
  events.on("notion:request", (e) => requests.inc({ status: String(e.status) }));
  events.on("notion:rate_limited", (e) => {
    rateLimited.inc();
    rateLimitSeconds.inc(e.retryAfterMs / 1000);
  });
  events.on("notion:retry", (e) => retries.inc({ code: e.code }));
}

function syncMetrics(events: EventBus, registry: Registry, counter: CounterOf): void {
  const warehouseRetries = counter("nds_warehouse_retries_total", "Warehouse statements sent again, by failure kind (conflict, refused, broken)", ["kind"]);
  const pages = counter("nds_pages_read_total", "Pages read from Notion and committed", ["database"]);
  const upserted = counter("nds_rows_upserted_total", "Silver rows inserted or updated", ["database"]);
  const quarantined = counter("nds_rows_quarantined_total", "Rows with at least one invalid value", ["database"]);
  const heldBack = counter("nds_pages_held_back_total", "Pages stamped later than the clock allows, held back from silver and the watermark", ["database"]);
  const databaseRuns = counter("nds_database_syncs_total", "Database syncs by status", ["database", "status"]);
  const runs = counter("nds_runs_total", "Sync runs by result: ok, failed (a database failed), error (the run could not start)", ["result"]);
  const duration = new Histogram({
    name: "nds_run_duration_seconds",
    help: "Duration of sync runs",
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  events.on("warehouse:retry", (e) => warehouseRetries.inc({ kind: e.kind }));
  // Counted per committed batch, so a long database shows its progress.
  events.on("batch:loaded", (e) => {
    pages.inc({ database: e.databaseKey }, e.pages);
    upserted.inc({ database: e.databaseKey }, e.rowsUpserted);
    quarantined.inc({ database: e.databaseKey }, e.quarantined);
  });
  events.on("page:held_back", (e) => heldBack.inc({ database: e.databaseKey }));
  events.on("database:done", (e) => databaseRuns.inc({ database: e.databaseKey, status: e.status }));
  events.on("run:done", (e) => {
    runs.inc({ result: e.error ? "error" : e.summaries.some((s) => s.status === "failed") ? "failed" : "ok" });
    duration.observe(e.durationMs / 1000);
  });
}

/** Read from the status model when scraped. */
function statusGauges(status: WorkerStatus, registry: Registry, now: () => number): void {
  new Gauge({
    name: "nds_run_in_progress",
    help: "1 while a sync run is in progress",
    registers: [registry],
    collect() {
      this.set(status.running ? 1 : 0);
    },
  });
  new Gauge({
    name: "nds_last_success_timestamp_seconds",
    help: "When each database last synced successfully",
    labelNames: ["database"],
    registers: [registry],
    collect() {
      for (const [key, db] of status.databases) if (db.lastSuccessAt) this.set({ database: key }, db.lastSuccessAt.getTime() / 1000);
    },
  });
  new Gauge({
    name: "nds_freshness_minutes",
    help: "Minutes since each database last synced successfully",
    labelNames: ["database"],
    registers: [registry],
    collect() {
      for (const [key, db] of status.databases) if (db.lastSuccessAt) this.set({ database: key }, (now() - db.lastSuccessAt.getTime()) / 60_000);
    },
  });
}

function workerMetrics(events: EventBus, registry: Registry, counter: CounterOf): void {
  const skippedTicks = counter("nds_ticks_skipped_total", "Scheduled ticks skipped because a run was still in progress or another process held the lock", [
    "reason",
  ]);
  const probes = counter(
    "nds_warehouse_probes_total",
    "Times the worker opened the warehouse only to see whether it answers (readiness, KPIs at start), by result",
    ["result"],
  );
  const reads = counter(
    "nds_warehouse_reads_total",
    "Times the worker opened the warehouse to read what a page shows (the Control Room's trend, problems and runs), by page and result",
    ["what", "result"],
  );
  const staleLocks = counter("nds_stale_locks_taken_over_total", "Run locks taken over from a holder that had stopped (its heartbeat went stale)");
  const dqScore = new Gauge({ name: "nds_dq_score", help: "Score of the latest data-quality check (0-100)", registers: [registry] });
  const dqIssues = new Gauge({ name: "nds_dq_issues", help: "Problems found by the latest data-quality check", registers: [registry] });
  events.on("worker:tick_skipped", (e) => skippedTicks.inc({ reason: e.reason }));
  events.on("worker:probed", (e) => probes.inc({ result: e.ok ? "ok" : "failed" }));
  events.on("worker:read", (e) => reads.inc({ what: e.what, result: e.ok ? "ok" : "failed" }));
  events.on("lock:acquired", (e) => e.takenOver && staleLocks.inc());
  events.on("dq:checked", (e) => {
    dqScore.set(e.score);
    dqIssues.set(e.issues);
  });
}
