import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import { loadUserDirectory, type NotionGateway } from "../notion/index.js";
import type { EventBus } from "../observability/events.js";
import { fileWatermarkStore, pendingRunRecords, userCache } from "../state/index.js";
import type { UserDirectory } from "../transform/types.js";
import { createWarehouse, leasesTable, quarantineTable, syncRunsTable, type Warehouse } from "../warehouse/index.js";
import type { RunContext } from "./run-context.js";
import { RunLease } from "./run-lease.js";
import { loadStoredWatermarks } from "./run-state.js";

/** What a run that writes opened: the warehouse, its copy of the watermarks, the leases. */
export type OpenedState = Awaited<ReturnType<typeof openWarehouseState>>;

/** The parts of a run's context that exist only once its warehouse is open. */
type OpenedParts = "warehouse" | "storedWatermarks" | "lease" | "leaseRefused" | "openWarehouse" | "openFailure";

/**
 * The run's context, whose warehouse is opened by `open` at the first `openWarehouse()` (once; a
 * failure to open is every later caller's too, and fails the run: `openFailure`) and read through it after that.
 */
export function withLazyWarehouse(base: Omit<RunContext, OpenedParts>, open: () => Promise<OpenedState>): RunContext {
  let opening: Promise<OpenedState> | undefined;
  let opened: OpenedState | undefined;
  let failure: { error: unknown } | undefined;
  const none = new Map<string, string>();
  return {
    ...base,
    async openWarehouse() {
      opening ??= open().catch((error: unknown) => {
        failure = { error };
        throw error;
      });
      opened = await opening;
      return opened.warehouse;
    },
    openFailure: (error) => failure !== undefined && failure.error === error,
    get warehouse() {
      return opened?.warehouse;
    },
    get storedWatermarks() {
      return opened?.storedWatermarks;
    },
    get lease() {
      return opened?.lease;
    },
    get leaseRefused() {
      return opened?.leaseRefused ?? none;
    },
  };
}

/**
 * Opens the warehouse for a run that writes: the run's own tables, the run records quiet runs kept
 * meanwhile, the watermarks it holds (checked against the local copies by each database), and,
 * where hosts share it, the databases' leases.
 */
export async function openWarehouseState(
  deps: { readonly config: AppConfig; readonly events: EventBus; readonly openWarehouse?: typeof createWarehouse | undefined },
  keys: readonly string[],
  runId: string,
  logger: Logger,
  releasers: (() => Promise<void>)[],
  lost: AbortController,
) {
  const { config, events } = deps;
  const warehouse = await (deps.openWarehouse ?? createWarehouse)(config.warehouse, {
    retry: (info) => events.emit("warehouse:retry", info),
    waiting: (info) => events.emit("warehouse:waiting", info),
  });
  events.emit("warehouse:contact", { at: new Date(), ok: true });
  releasers.push(() => warehouse.close());
  await warehouse.ensureTables([syncRunsTable(config.mapping.settings), quarantineTable(config.mapping.settings)]);
  await writePendingRunRecords(warehouse, config, logger);
  const storedWatermarks = await loadStoredWatermarks(warehouse, config, fileWatermarkStore(config.watermarkDir), logger);
  if (!warehouse.capabilities.leases) return { warehouse, storedWatermarks, lease: undefined, leaseRefused: new Map<string, string>() };
  const { lease, refused } = await RunLease.take(warehouse, leasesTable(config.mapping.settings), keys, {
    runId,
    events,
    logger,
    onLost: (error) => {
      events.emit("lease:lost", { runId, message: error.message });
      lost.abort(error);
    },
  });
  releasers.push(() => lease.release());
  return { warehouse, storedWatermarks, lease, leaseRefused: refused };
}

/**
 * The run records of runs that opened no warehouse, written with their own times (keyed by run and
 * database: writing one twice after a crash between the write and the clean-up changes nothing).
 * A failure leaves them for the next run and is logged, never fatal.
 */
export async function writePendingRunRecords(warehouse: Warehouse, config: AppConfig, logger: Logger): Promise<number> {
  const pending = pendingRunRecords(config.watermarkDir);
  try {
    const rows = await pending.list();
    if (rows.length === 0) return 0;
    await warehouse.upsertRows(syncRunsTable(config.mapping.settings), rows);
    await pending.clear();
    logger.debug({ records: rows.length }, "wrote the run records of runs that opened no warehouse");
    return rows.length;
  } catch (error) {
    logger.error({ err: error }, `could not write the run records kept in ${pending.path}: ${describeError(error)}`);
    return 0;
  }
}

/** The workspace's users, read once per run and kept in the state directory for a rebuild from bronze (a cache: failing to keep it only warns). */
export async function usersOnce(gateway: NotionGateway, directory: string, dryRun: boolean, logger: Logger, now: () => Date): Promise<UserDirectory> {
  const users = await loadUserDirectory(gateway, undefined);
  if (!dryRun) {
    await userCache(directory)
      .save({ savedAt: now().toISOString(), users: users.users })
      .catch((error: unknown) => logger.warn({ err: error }, `could not keep the user list for rebuilds: ${describeError(error)}`));
  }
  return users;
}
