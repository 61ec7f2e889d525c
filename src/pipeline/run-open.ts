import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import { loadUserDirectory, type NotionGateway } from "../notion/index.js";
import type { EventBus } from "../observability/events.js";
import { fileWatermarkStore, userCache } from "../state/index.js";
import type { UserDirectory } from "../transform/types.js";
import { createWarehouse, leasesTable, quarantineTable, syncRunsTable } from "../warehouse/index.js";
import { RunLease } from "./run-lease.js";
import { loadStoredWatermarks } from "./run-state.js";

/**
 * Opens the warehouse for a run that writes: the run's own tables, the watermarks it holds (checked
 * against the local copies by each database), and, where hosts share it, the databases' leases.
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
  const warehouse = await (deps.openWarehouse ?? createWarehouse)(config.warehouse, { retry: (info) => events.emit("warehouse:retry", info) });
  events.emit("warehouse:contact", { at: new Date(), ok: true });
  releasers.push(() => warehouse.close());
  await warehouse.ensureTables([syncRunsTable(config.mapping.settings), quarantineTable(config.mapping.settings)]);
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
