import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import { createEventBus, type DatabaseSummary, type EventBus } from "../observability/events.js";
import { CONTROL_ROOM_CSP, createControlRoom } from "./control-room/index.js";
import { runSync } from "../pipeline/index.js";
import { isWarehouseError, type createWarehouse } from "../warehouse/index.js";
import { describeHolder, LockHeldError } from "../state/index.js";
import { FailureBackoff } from "./backoff.js";
import { createMetrics } from "./metrics.js";
import { Scheduler, type RunOrigin } from "./scheduler.js";
import { startStatusServer } from "./status-server.js";
import { WorkerStatus } from "./status.js";
import { WarehouseAccess, type Readiness } from "./warehouse-access.js";
import { createWebhooks } from "../webhooks/index.js";

export interface WorkerOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly events?: EventBus;
  readonly now?: () => number;
  /** Opens the warehouse of the settings, for runs, checks, reads and probes alike (tests count sessions through it). */
  readonly openWarehouse?: typeof createWarehouse;
}

export interface Worker {
  readonly port: number;
  /**
   * The graceful stop: no more ticks, the run in flight finishes its current batch (its interrupted
   * database is recorded as stopped by shutdown), the warehouse is released, the status server closes.
   */
  stop(): Promise<void>;
  /**
   * The forceful stop, when the graceful one takes too long: no more ticks, the status server closes at
   * once and the run in flight is abandoned (its uncommitted batch is never committed; the process should exit).
   */
  kill(): Promise<void>;
}

/**
 * The worker service: syncs on a cron schedule (UTC) and serves the status endpoints. Its parts: the
 * scheduler (ticks, never two runs at once), the status model (what the endpoints and the backoff
 * read), the warehouse access (serialized, shared by runs, checks and probes). `worker:start` and
 * `worker:stop` mark its life on the event bus.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const events = options.events ?? createEventBus();
  const keys = config.mapping.databases.map((d) => d.key);
  const status = new WorkerStatus(keys);
  status.subscribe(events);
  const backoff = new FailureBackoff(status);
  events.on("database:done", (s) => s.status !== "skipped" && backoff.update(s.databaseKey));
  const registry = createMetrics(events, status, now);
  const access = new WarehouseAccess(config, status, events, logger, now, options.openWarehouse);
  const abort = new AbortController();

  const run = runner({ config, logger, events, status, backoff, access, signal: abort.signal, now, retryAt: (at) => scheduler.retryAt(at) });
  const scheduler = new Scheduler({ schedule: config.worker.schedule, events, logger, now, run });
  const webhooks = createWebhooks({ config, events, logger, request: (keys, schemaDue) => scheduler.request(keys, schemaDue) });
  const ready = () => readiness(status, access, scheduler.busy);

  // The last run records are read before the endpoints answer, so /api/kpis is right from the start.
  await access.probe().catch((error: unknown) => logger.warn({ err: error }, "warehouse not reachable at start; KPIs are loaded when it is"));
  for (const key of keys) backoff.update(key);
  const controlRoom = createControlRoom({
    settings: config.mapping.settings,
    status,
    events,
    logger,
    now,
    read: (what, work) => access.read(what, work),
    backoffTicks: (key) => backoff.ticksLeft(key),
    nextRunAt: () => scheduler.nextRunAt(),
  });
  const page = () => controlRoom.page();
  const sources = { ready, kpis: () => Promise.resolve(status.toJson(now())), registry, page, pagePolicy: CONTROL_ROOM_CSP, webhook: webhooks?.handler };
  const server = await startStatusServer(config.worker.port, sources, (error) => logger.error({ err: error }, "status endpoint failed"));
  scheduler.start();
  events.emit("worker:start", { port: server.port, schedule: config.worker.schedule, runOnStart: config.worker.runOnStart });
  if (config.worker.runOnStart) void scheduler.tick();

  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    stop: () =>
      (stopping ??= (async () => {
        abort.abort();
        webhooks?.stop();
        await scheduler.stop();
        await access.idle();
        await server.close();
        events.emit("worker:stop", { forced: false });
      })()),
    async kill() {
      abort.abort();
      webhooks?.stop();
      await scheduler.halt();
      await server.close();
      events.emit("worker:stop", { forced: true });
    },
  };
}

/** Ready unless ticks are skipped for another process's lock; while a run is in flight, it says more than a probe would. */
function readiness(status: WorkerStatus, access: WarehouseAccess, busy: boolean): Promise<Readiness> {
  if (status.lockBlocked)
    return Promise.resolve({
      ok: false,
      reason: `ticks skipped: the run lock is held by ${describeHolder(status.lockBlocked.holder)}; skipping since ${status.lockBlocked.since}`,
    });
  if (status.running) return Promise.resolve({ ok: true });
  // A run waiting for the warehouse goes first; its outcome will say more than a probe.
  return access.ready(busy);
}

interface RunnerParts {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly events: EventBus;
  readonly status: WorkerStatus;
  readonly backoff: FailureBackoff;
  readonly access: WarehouseAccess;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** Try again at this time (a stale lock can then be taken over). */
  readonly retryAt: (at: number) => void;
}

/**
 * One run: the sync of every database (of the named ones, for events; databases in backoff skipped),
 * then the data-quality checks; a held lock is reported and retried.
 */
function runner(parts: RunnerParts): (origin: RunOrigin, databases?: readonly string[], schemaDue?: readonly string[]) => Promise<void> {
  const { config, logger, events, status, backoff, access, signal, now } = parts;
  const keys = config.mapping.databases.map((d) => d.key);
  // Data written since the last check that succeeded: a check that failed is owed by the next sync, quiet or not.
  let checkOwed = false;
  const checkQuality = async () => {
    try {
      const result = await access.checkQuality();
      events.emit("dq:checked", { score: result.score, issues: result.issuesTotal, threshold: result.threshold });
      checkOwed = false;
    } catch (error) {
      logger.error({ err: error }, "data-quality checks failed; checked again after the next sync");
    }
  };
  return async (origin, databases, schemaDue = []) => {
    if (signal.aborted) return;
    if (!status.loaded) await access.probe().catch((error: unknown) => logger.debug({ err: error }, "warehouse not reachable yet"));
    if (signal.aborted) return;
    try {
      const skip = backoff.skipsForTick(databases ?? keys, origin === "schedule");
      const selection = { schemaDue, ...(databases ? { databases: [...databases] } : {}) };
      const result = await access.exclusive(() => runSync({ config, logger, events, openWarehouse: access.openWarehouse }, { signal, skip, ...selection }));
      const failed = result.summaries.filter((s) => s.status === "failed").map((s) => s.databaseKey);
      if (failed.length > 0) logger.warn({ runId: result.runId, failed }, "sync run finished with failures; retrying at the next tick");
      // Another host syncing these databases is not a failure of this one: the tick is skipped for them.
      const leased = result.summaries.filter((s) => s.errorCode === "lease_held");
      if (leased.length > 0 && origin === "schedule") events.emit("worker:tick_skipped", { reason: "lease held" });
      if (config.mapping.settings.dq.after_sync && !signal.aborted) {
        // A quiet sync changed nothing the checks read: no session for them (invariant 14); its success still counts for freshness.
        checkOwed ||= result.summaries.some(wrote);
        // An event's run leaves the check to the next tick: a burst of events must not cost a check each.
        if (checkOwed && origin !== "event") await checkQuality();
        else
          logger.debug(
            { runId: result.runId, origin },
            checkOwed ? "data-quality check left to the next tick" : "data-quality check skipped: the sync wrote nothing",
          );
      }
    } catch (error) {
      // A run that could not open the warehouse is a failed contact: readiness says so until the next check.
      if (unreachable(error)) events.emit("warehouse:contact", { at: new Date(now()), ok: false, reason: describeError(error) });
      if (!(error instanceof LockHeldError)) {
        status.lockBlocked = undefined;
        logger.error({ err: error }, "sync run failed; retrying at the next tick");
        return;
      }
      status.blockedBy(error.holder, new Date(now()));
      if (origin === "schedule") events.emit("worker:tick_skipped", { reason: "lock held" });
      logger.warn({ err: error, origin }, "run skipped: another process holds the run lock");
      // A holder that stopped (a crashed earlier life of this container) goes stale then: try again.
      parts.retryAt(error.staleAt);
    }
  };
}

/** Whether a database's sync changed a table: rows upserted or marked deleted, bronze versions, quarantined rows. */
function wrote(s: DatabaseSummary): boolean {
  return s.rowsUpserted > 0 || s.bronzeVersions > 0 || s.rowsQuarantined > 0;
}

/** A warehouse that did not answer or let this process in, rather than a statement it refused. */
function unreachable(error: unknown): boolean {
  return isWarehouseError(error) && ["refused", "broken", "timeout", "permission", "locked"].includes(error.kind);
}
