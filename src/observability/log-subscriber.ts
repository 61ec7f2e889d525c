import type { Logger } from "pino";
import type { EventBus } from "./events.js";

/** Turns sync events into short, stable log lines with structured fields. */
export function subscribeLogger(events: EventBus, logger: Logger): () => void {
  const off = [
    events.on("run:start", (e) => logger.info({ runId: e.runId, databases: e.databases, full: e.full, dryRun: e.dryRun }, "run started")),
    events.on("database:start", (e) =>
      logger.info({ runId: e.runId, databaseKey: e.databaseKey, mode: e.mode, since: e.since, reason: e.reason }, "database sync started"),
    ),
    events.on("batch:loaded", (e) => logger.debug(e, "batch loaded")),
    events.on("database:done", (e) =>
      logger[e.status === "failed" ? "error" : e.status === "interrupted" ? "warn" : "info"](
        {
          runId: e.runId,
          databaseKey: e.databaseKey,
          status: e.status,
          mode: e.mode,
          pagesRead: e.pagesRead,
          rowsUpserted: e.rowsUpserted,
          rowsQuarantined: e.rowsQuarantined,
          notionRequests: e.notionRequests,
          watermark: e.watermark,
          errorCode: e.errorCode,
          error: e.error,
        },
        "database sync finished",
      ),
    ),
    events.on("run:done", (e) =>
      logger.info(
        { runId: e.runId, durationMs: Math.round(e.durationMs), failed: e.summaries.filter((s) => s.status === "failed").map((s) => s.databaseKey) },
        "run finished",
      ),
    ),
    events.on("dq:checked", (e) => logger[e.score < e.threshold ? "warn" : "info"](e, "data-quality checked")),
    events.on("notion:rate_limited", (e) => logger.warn(e, "notion rate limited; pausing all requests")),
    events.on("notion:retry", (e) => logger.warn(e, "notion request failed; retrying")),
    events.on("warehouse:retry", (e) => logger.warn(e, "warehouse statement failed; retrying")),
    events.on("warehouse:waiting", (e) => logger.info(e, "the SQL warehouse is not ready (starting?); waiting for it")),
    events.on("lock:acquired", (e) => e.takenOver && logger.warn({ runId: e.runId, holder: e.takenOver }, "took over a stale run lock")),
    events.on("lock:lost", (e) =>
      logger.error({ runId: e.runId, holder: e.holder }, "the run lock was taken over by another process; stopping after the batch in flight"),
    ),
    events.on("lease:refused", (e) => logger.warn(e, `database skipped: ${e.reason}`)),
    events.on("lease:lost", (e) => logger.error(e, "a lease of this run was taken over by another process; stopping after the batch in flight")),
    events.on("worker:start", (e) => logger.info(e, "worker started")),
    events.on("worker:stop", (e) =>
      logger[e.forced ? "warn" : "info"](e, e.forced ? "worker stopped by force: the run in flight was abandoned" : "worker stopped cleanly"),
    ),
    events.on("page:held_back", (e) => logger.warn(e, "page stamped in the future: held back from silver and the watermark")),
  ];
  return () => off.forEach((unsubscribe) => unsubscribe());
}
