import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import { createEventBus, type EventBus } from "../observability/events.js";
import { newRunId, runSync } from "../pipeline/index.js";
import { controlRoomStatusTable, runDqChecks } from "../quality/index.js";
import { describeHolder, LockHeldError, type LockHolder } from "../state/index.js";
import { createWarehouse, type SqlSession } from "../warehouse/index.js";
import { FailureBackoff } from "./backoff.js";
import { KpiState } from "./kpis.js";
import { createMetrics } from "./metrics.js";
import { startStatusServer } from "./status-server.js";

export interface WorkerOptions {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly events?: EventBus;
  readonly now?: () => number;
}

export interface Worker {
  readonly port: number;
  /**
   * Stops scheduling, lets the run in flight finish its current batch (its interrupted database is
   * recorded as failed with "shutdown"), then closes the status server. The caller owns the deadline.
   */
  stop(): Promise<void>;
}

/** How long a readiness answer is reused, so that probes do not open the warehouse on every call. */
const READY_CACHE_MS = 2_000;

/**
 * The worker service: syncs on a cron schedule (UTC) and serves the status endpoints. A tick that
 * finds a run in progress is skipped and counted, never overlapped; the run lock keeps a manual
 * `npm run sync` and the worker apart. Warehouse access of this process (runs, readiness probes,
 * loading the KPIs) is serialized: DuckDB must not be opened twice at once.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const events = options.events ?? createEventBus();
  const keys = config.mapping.databases.map((d) => d.key);
  const kpis = new KpiState(keys);
  kpis.subscribe(events);
  const backoff = new FailureBackoff();
  events.on("database:done", (s) => backoff.record(s.databaseKey, s.status));
  // Ticks are no longer skipped for the lock once a run of this worker holds it.
  events.on("lock:acquired", () => (lockBlocked = undefined));
  const registry = createMetrics(events, kpis, now);
  const abort = new AbortController();
  let exclusive: Promise<unknown> = Promise.resolve();
  const withWarehouse = <T>(work: () => Promise<T>): Promise<T> => {
    const next = exclusive.then(work, work);
    exclusive = next.catch(() => undefined);
    return next;
  };
  let lastProbe: { at: number; ok: boolean; reason?: string } | undefined;
  /** Set while scheduled runs are skipped because another process holds the run lock. */
  let lockBlocked: { holder: LockHolder; since: string } | undefined;

  const probe = () =>
    withWarehouse(async () => {
      const started = performance.now();
      const warehouse = await createWarehouse(config.warehouse).catch((error: unknown) => {
        events.emit("worker:probed", { ok: false, durationMs: performance.now() - started });
        throw error;
      });
      try {
        await warehouse.sql.query("SELECT 1 AS ok");
        events.emit("worker:probed", { ok: true, durationMs: performance.now() - started });
        if (!kpis.loaded) {
          await kpis.load(warehouse.sql, config.mapping.settings).catch((error: unknown) => logger.debug({ err: error }, "no run records yet"));
          dqScore ??= await latestScore(warehouse.sql, config).catch((error: unknown) => {
            logger.debug({ err: error }, "no data-quality score yet");
            return null;
          });
        }
      } finally {
        await warehouse.close();
      }
    });

  // One probe at a time: concurrent callers share the one in flight.
  let probing: Promise<{ at: number; ok: boolean; reason?: string }> | undefined;
  const probeOnce = () =>
    (probing ??= probe()
      .then(() => ({ at: now(), ok: true }))
      .catch((error: unknown) => ({ at: now(), ok: false, reason: `warehouse not reachable: ${error instanceof Error ? error.message : String(error)}` }))
      .then((result) => {
        lastProbe = result;
        probing = undefined;
        return result;
      }));

  async function ready(): Promise<{ ok: boolean; reason?: string }> {
    if (lockBlocked) return { ok: false, reason: `ticks skipped: the run lock is held by ${describeHolder(lockBlocked.holder)}; skipping since ${lockBlocked.since}` };
    if (kpis.running) return { ok: true };
    if (lastProbe && now() - lastProbe.at < READY_CACHE_MS) return lastProbe;
    // A run waiting for the warehouse goes first; its outcome will say more than a probe.
    if (inFlight) return lastProbe ?? { ok: true };
    return probeOnce();
  }

  let dqScore: number | null = null;
  async function checkQuality(): Promise<void> {
    try {
      const result = await withWarehouse(async () => {
        const warehouse = await createWarehouse(config.warehouse);
        try {
          return await runDqChecks(warehouse.sql, config, { runId: newRunId(new Date(now())), now: new Date(now()) });
        } finally {
          await warehouse.close();
        }
      });
      dqScore = result.score;
      events.emit("dq:checked", { score: result.score, issues: result.issuesTotal, threshold: result.threshold });
    } catch (error) {
      logger.error({ err: error }, "data-quality checks failed");
    }
  }

  // The run in flight, whoever started it (the schedule or the run at start): never two at once.
  let inFlight: Promise<void> | undefined;
  /** A scheduled tick, or the retry once a stale lock can be taken over (not counted as a tick). */
  type Origin = "schedule" | "retry";
  const tick = (origin: Origin = "schedule"): Promise<void> => {
    if (inFlight) {
      events.emit("worker:tick_skipped", { reason: "run in progress" });
      logger.info("tick skipped: the previous run is still in progress");
      return Promise.resolve();
    }
    inFlight = runOnce(origin).finally(() => (inFlight = undefined));
    return inFlight;
  };

  async function runOnce(origin: Origin): Promise<void> {
    if (abort.signal.aborted) return;
    if (!kpis.loaded) await probe().catch((error: unknown) => logger.debug({ err: error }, "warehouse not reachable yet"));
    if (abort.signal.aborted) return;
    const skip = backoff.skipsForTick(keys, origin === "schedule");
    try {
      const result = await withWarehouse(() => runSync({ config, logger, events }, { signal: abort.signal, skip }));
      if (!result.ok) logger.warn({ runId: result.runId, failed: result.summaries.filter((s) => s.status === "failed").map((s) => s.databaseKey) }, "sync run finished with failures; retrying at the next tick");
      if (config.mapping.settings.dq.after_sync && !abort.signal.aborted) await checkQuality();
    } catch (error) {
      if (error instanceof LockHeldError) {
        lockBlocked ??= { holder: error.holder, since: new Date(now()).toISOString() };
        lockBlocked.holder = error.holder;
        if (origin === "schedule") events.emit("worker:tick_skipped", { reason: "lock held" });
        logger.warn({ err: error, origin }, "run skipped: another process holds the run lock");
        retryWhenStale(error.staleAt);
        return;
      }
      lockBlocked = undefined;
      logger.error({ err: error }, "sync run failed; retrying at the next tick");
    }
  }

  // A lock whose holder stopped (a crashed earlier life of this container) goes stale at `staleAt`:
  // try once more then rather than wait for the next tick of the schedule.
  let retryTimer: NodeJS.Timeout | undefined;
  function retryWhenStale(staleAt: number): void {
    if (retryTimer || abort.signal.aborted) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void tick("retry");
    }, Math.max(0, staleAt - now()) + 1_000);
    retryTimer.unref();
  }

  // The last run records are read before the endpoints answer, so /api/kpis is right from the start.
  await probe().catch((error: unknown) => logger.warn({ err: error }, "warehouse not reachable at start; KPIs are loaded when it is"));
  for (const [key, db] of kpis.databases) backoff.seed(key, db.consecutiveFailures);
  const server = await startStatusServer(config.worker.port, { ready, kpis: async () => kpis.toJson(now(), dqScore), registry }, (error) => logger.error({ err: error }, "status endpoint failed"));
  const task: ScheduledTask = cron.schedule(config.worker.schedule, () => tick(), { name: "notion-delta-sync", timezone: "UTC", logger: cronLogger(logger) });
  logger.info({ port: server.port, schedule: config.worker.schedule, runOnStart: config.worker.runOnStart }, "worker started");
  if (config.worker.runOnStart) void tick();

  return {
    port: server.port,
    async stop() {
      await task.stop();
      abort.abort();
      clearTimeout(retryTimer);
      await inFlight;
      await exclusive;
      await task.destroy();
      await server.close();
    },
  };
}


/** The score of the latest data-quality check, so that /api/kpis has it across restarts. */
async function latestScore(warehouse: SqlSession, config: AppConfig): Promise<number | null> {
  const table = controlRoomStatusTable(config.mapping.settings);
  if (!(await warehouse.tableExists(table))) return null;
  const rows = await warehouse.query(`SELECT ${warehouse.quote("dq_score")} AS score FROM ${warehouse.tableName(table)} ORDER BY ${warehouse.quote("checked_at")} DESC LIMIT 1`);
  return rows[0] ? Number(rows[0].score) : null;
}

/** node-cron's messages through pino (it would write coloured lines to the console). */
function cronLogger(logger: Logger) {
  const child = logger.child({ component: "node-cron" });
  return {
    info: (message: string) => child.debug(message),
    warn: (message: string) => child.debug(message),
    error: (message: string | Error, err?: Error) => child.error({ err: err ?? message }, typeof message === "string" ? message : message.message),
    debug: (message: string | Error) => child.debug(typeof message === "string" ? message : message.message),
  };
}
