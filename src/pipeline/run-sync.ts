import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import { SyncError, describeError, errorCodeOf, type ErrorCode } from "../errors.js";
import { createNotionGateway, type NotionGateway } from "../notion/index.js";
import { createEventBus, type DatabaseSummary, type EventBus } from "../observability/events.js";
import { acquireRunLock, describeHolder, fileWatermarkStore, pendingRunRecords } from "../state/index.js";
import type { UserDirectory } from "../transform/types.js";
import { syncRunRow, syncRunsTable, type createWarehouse } from "../warehouse/index.js";
import type { RunContext } from "./run-context.js";
import { createDependentRefresh } from "./dependent-refresh.js";
import { newRunId } from "./run-records.js";
import { openWarehouseState, usersOnce, withLazyWarehouse } from "./run-open.js";
import { syncOrder } from "./sync-order.js";
import { syncDatabase } from "./sync-database.js";
import { WarehouseTrust } from "./warehouse-trust.js";

export interface SyncRunOptions {
  /** Resync every selected database from the beginning. */
  readonly full?: boolean;
  /** Database keys to sync (default: all of the mapping). */
  readonly databases?: readonly string[];
  /** Read and validate, write nothing (no warehouse, no watermark, no lock). */
  readonly dryRun?: boolean;
  /** Aborting stops after the batch in flight; the run reports the database in progress as `interrupted`. */
  readonly signal?: AbortSignal;
  /** Databases not to sync this time, with the reason recorded (status `skipped`), e.g. a failure backoff. */
  readonly skip?: ReadonlyMap<string, SkipReason>;
  /** Databases whose schema is checked even when no page changed (a schema event named them): no quiet look for them. */
  readonly schemaDue?: readonly string[];
}

export interface SkipReason {
  readonly code: ErrorCode;
  readonly reason: string;
}

export interface SyncRunDeps {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly events?: EventBus;
  /** Injected fetch for the Notion client (tests). */
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** Opens the warehouse of the settings (tests reach other engines through it). */
  readonly openWarehouse?: typeof createWarehouse;
}

export interface SyncRunResult {
  readonly runId: string;
  readonly summaries: readonly DatabaseSummary[];
  /** True when every database synced: none failed, was interrupted, was left for a stop or is held by another host. */
  readonly ok: boolean;
}

/**
 * One sync run: takes the run lock, syncs each selected database under one
 * Notion pacer (each after the databases its rollups read: `sync-order.ts`; reported in mapping order),
 * opening the warehouse only when a database has something to write, records a `ppm_meta.sync_runs` row per database, and releases
 * everything in reverse order, whatever happened.
 */
export async function runSync(deps: SyncRunDeps, options: SyncRunOptions = {}): Promise<SyncRunResult> {
  const now = deps.now ?? (() => new Date());
  const events = deps.events ?? createEventBus();
  const runId = newRunId(now());
  const selected = selectDatabases(deps.config, options.databases);
  const releasers: (() => Promise<void>)[] = [];
  const started = performance.now();
  const logger = deps.logger.child({ runId });
  events.emit("run:start", { runId, databases: selected.map((d) => d.key), full: options.full ?? false, dryRun: options.dryRun ?? false });
  const summaries: DatabaseSummary[] = [];
  const lost = new AbortController();
  let failure: unknown;
  try {
    const ctx = await openRun({ ...deps, events, now }, { ...options, databases: selected.map((d) => d.key) }, runId, logger, releasers, lost);
    const refresh = createDependentRefresh(ctx);
    const ordered = await syncOrder(ctx, selected);
    let unreachable: SkipReason | undefined;
    for (const [index, database] of ordered.entries()) {
      const leaseHeld = ctx.leaseRefused.get(database.key);
      const skipReason: SkipReason | undefined = ctx.signal.aborted
        ? { code: "shutdown", reason: "not started: shutdown" }
        : (unreachable ?? options.skip?.get(database.key) ?? (leaseHeld ? { code: "lease_held", reason: leaseHeld } : undefined));
      const summary = skipReason
        ? skipped(ctx, database.key, skipReason)
        : await refresh.afterDatabase(await syncDatabase(ctx, database), ordered.slice(index + 1));
      // The run's circuit: once nothing answers at the base URL, the other databases are not attempted.
      if (summary.errorCode === "notion_unreachable" && summary.status === "failed") unreachable = notAttempted(summary);
      summaries.push(summary);
      events.emit("database:done", summary);
      await recordRun(ctx, summary);
    }
    // Reported in mapping order, whatever order they ran in.
    const reported = selected.map((d) => summaries.find((s) => s.databaseKey === d.key)!);
    // A database another host holds is not this run's success: `sync` exits 1 and says who holds it.
    return {
      runId,
      summaries: reported,
      // A database not started because of a stop, or held by another host, did not sync: not ok either.
      ok: summaries.every((s) => s.status !== "failed" && s.status !== "interrupted" && s.errorCode !== "lease_held" && s.errorCode !== "shutdown"),
    };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    for (const release of releasers.reverse()) {
      await release().catch((error: unknown) => logger.error({ err: error }, `release failed: ${describeError(error)}`));
    }
    // Always: a run that failed before any database (the lock, the warehouse) ends too, with its error.
    events.emit("run:done", {
      runId,
      durationMs: performance.now() - started,
      summaries,
      error: failure === undefined ? null : describeError(failure),
      errorCode: failure === undefined ? null : errorCodeOf(failure),
    });
  }
}

/**
 * Takes the run lock (whose loss stops the run after its batch), opens the Notion gateway (a stop drops
 * its waiting requests), each registering its releaser, and returns the run's context, which opens the
 * warehouse when first asked to (registering its releasers then).
 */
async function openRun(
  deps: SyncRunDeps & { events: EventBus; now: () => Date },
  options: SyncRunOptions,
  runId: string,
  logger: Logger,
  releasers: (() => Promise<void>)[],
  lost: AbortController,
): Promise<RunContext> {
  const { config, events } = deps;
  // Aborted by the caller (shutdown) or when another process takes the run lock or a lease over.
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  if (!options.dryRun) {
    const lock = await acquireRunLock(config.watermarkDir, runId, {
      staleAfterMs: config.lockStaleAfterMs,
      onLost: (holder) => {
        events.emit("lock:lost", { runId, holder: holder ?? null });
        lost.abort(
          new SyncError(
            "lock_held",
            `the run lock was taken over by another process${holder ? ` (${describeHolder(holder)})` : ""} while this run's heartbeat stalled`,
          ),
        );
      },
    });
    events.emit("lock:acquired", { runId, takenOver: lock.takenOver ?? null });
    releasers.push(() => lock.release());
  }
  // Released after the warehouse closes (releasers run in reverse): what the run checked is kept with the mark it left.
  const trust = await WarehouseTrust.load(config, deps.now, logger);
  if (!options.dryRun) releasers.push(() => trust.save(logger));
  const gateway: NotionGateway = createNotionGateway({ settings: config.notion, events, fetch: deps.fetch });
  releasers.push(() => gateway.close());
  // A stop drops the requests still waiting for the pacer, so a run at a low rate stops promptly.
  const onAbort = () => gateway.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  releasers.push(() => Promise.resolve(signal.removeEventListener("abort", onAbort)));
  const watermarks = fileWatermarkStore(config.watermarkDir);
  let users: Promise<UserDirectory> | undefined;
  return withLazyWarehouse(
    {
      runId,
      config,
      gateway,
      dryRun: options.dryRun ?? false,
      trust,
      events,
      logger,
      signal,
      now: deps.now,
      watermarks,
      full: options.full ?? false,
      schemaDue: new Set(options.schemaDue),
      users: () => (users ??= usersOnce(gateway, config.watermarkDir, options.dryRun ?? false, logger, deps.now)),
      schemas: new Map(),
      prefetchedRequests: new Map(),
    },
    () => trust.beforeOpen().then(() => openWarehouseState(deps, options.databases ?? [], runId, logger, releasers, lost)),
  );
}

/**
 * One `ppm_meta.sync_runs` row for the database just done; a failure to write it is logged, never
 * fatal. A run that has not opened its warehouse keeps the row in the state directory, and the next
 * run that opens one writes it (`run-open.ts`): a quiet run costs no statement.
 */
async function recordRun(ctx: RunContext, summary: DatabaseSummary): Promise<void> {
  if (ctx.dryRun) return;
  const row = syncRunRow(summary);
  const written = ctx.warehouse
    ? ctx.warehouse.insertRows(syncRunsTable(ctx.config.mapping.settings), [row])
    : pendingRunRecords(ctx.config.watermarkDir).add(row);
  await written.catch((error: unknown) => {
    ctx.logger.error({ err: error, databaseKey: summary.databaseKey }, "could not write the run record");
  });
}

function selectDatabases(config: AppConfig, keys: readonly string[] | undefined) {
  const all = config.mapping.databases;
  if (!keys || keys.length === 0) return all;
  const unknown = keys.filter((key) => !all.some((d) => d.key === key));
  if (unknown.length > 0) {
    throw new SyncError("usage", `unknown database key ${unknown.map((k) => `"${k}"`).join(", ")}; the mapping has ${all.map((d) => d.key).join(", ")}`);
  }
  return all.filter((d) => keys.includes(d.key));
}

function notAttempted(failed: DatabaseSummary): SkipReason {
  const reason = /cannot reach Notion at .*/.exec(failed.error ?? "")?.[0] ?? "Notion is unreachable";
  return { code: "notion_unreachable", reason: `not attempted: ${reason} (as the sync of "${failed.databaseKey}" found)` };
}

function skipped(ctx: RunContext, databaseKey: string, { code, reason }: SkipReason): DatabaseSummary {
  const at = ctx.now();
  return {
    runId: ctx.runId,
    databaseKey,
    mode: ctx.full ? "full" : "incremental",
    status: "skipped",
    startedAt: at,
    finishedAt: at,
    pagesRead: 0,
    rowsUpserted: 0,
    bronzeVersions: 0,
    rowsQuarantined: 0,
    notionRequests: 0,
    watermark: null,
    error: reason,
    errorCode: code,
  };
}
