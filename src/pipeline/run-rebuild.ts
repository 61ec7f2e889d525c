import type { Logger } from "pino";
import type { AppConfig, DatabaseConfig } from "../config/index.js";
import { SyncError, describeError, errorCodeOf, type ErrorCode } from "../errors.js";
import { createEventBus } from "../observability/events.js";
import { acquireRunLock, fileWatermarkStore, userCache, watermarkRow, type Watermark } from "../state/index.js";
import { EMPTY_DIRECTORY } from "../transform/index.js";
import { bronzeTable, createWarehouse, leasesTable, quarantineTable, silverTable, watermarksTable, type Warehouse } from "../warehouse/index.js";
import { rebuildSilver, type RebuildResult } from "./rebuild.js";
import { newRunId } from "./run-records.js";
import { RunLease } from "./run-lease.js";
import { agreedWatermark, loadStoredWatermarks } from "./run-state.js";

export interface RebuildRunOptions {
  /** The databases to rebuild (every one of the mapping when undefined). */
  readonly databases?: readonly string[];
  /** Columns whose changed type the rebuild may replace (see `rebuildSilver`). */
  readonly replaceColumns?: readonly string[];
  readonly signal?: AbortSignal;
}

export type RebuildOutcome =
  ({ readonly ok: true } & RebuildResult) | { readonly ok: false; readonly databaseKey: string; readonly error: string; readonly errorCode: ErrorCode };

export interface RebuildRunResult {
  readonly runId: string;
  readonly ok: boolean;
  readonly databases: readonly RebuildOutcome[];
  /** Where people's names and e-mails came from when a page's own value lacks them. */
  readonly users: string;
}

/**
 * `npm run rebuild`: silver re-derived from bronze for the selected databases, with the run lock
 * (and, where hosts share the warehouse, the databases' leases) held as by a sync, and no Notion
 * request. Each database's watermark then names the current mapping, so the next sync does not read
 * it in full. A database that fails (no watermark, a property bronze is not known to hold, a type
 * change not asked for) is reported and the others go on.
 */
export async function runRebuild(
  deps: { readonly config: AppConfig; readonly logger: Logger; readonly now?: () => Date; readonly openWarehouse?: typeof createWarehouse },
  options: RebuildRunOptions,
): Promise<RebuildRunResult> {
  const { config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const runId = newRunId(now());
  const selected = config.mapping.databases.filter((d) => !options.databases || options.databases.includes(d.key));
  const lock = await acquireRunLock(config.watermarkDir, runId, { staleAfterMs: config.lockStaleAfterMs });
  const warehouse = await (deps.openWarehouse ?? createWarehouse)(config.warehouse).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  let lease: RunLease | undefined;
  try {
    const files = fileWatermarkStore(config.watermarkDir);
    const stored = await loadStoredWatermarks(warehouse, config, files, logger);
    await warehouse.ensureTables([quarantineTable(config.mapping.settings)]);
    const refused = new Map<string, string>();
    if (warehouse.capabilities.leases) {
      const taken = await RunLease.take(
        warehouse,
        leasesTable(config.mapping.settings),
        selected.map((d) => d.key),
        {
          runId,
          events: createEventBus(),
          logger,
          onLost: () => undefined,
        },
      );
      lease = taken.lease;
      for (const [key, reason] of taken.refused) refused.set(key, reason);
    }
    const cached = await userCache(config.watermarkDir).load();
    const env = { config, warehouse, logger, runId, now, users: cached?.directory ?? EMPTY_DIRECTORY, ...(options.signal ? { signal: options.signal } : {}) };
    const databases: RebuildOutcome[] = [];
    for (const database of selected) {
      try {
        const held = refused.get(database.key);
        if (held) throw new SyncError("lease_held", held);
        const previous = await rebuildableState(warehouse, config, database, await files.get(database.key), stored.get(database.key));
        const propertyIds = await refuseStaleComputed(warehouse, config, database, previous!, offlinePropertyIds(database, previous));
        const replace = (options.replaceColumns ?? []).filter((name) => database.columns.some((c) => c.name === name));
        const result = await rebuildSilver(env, database, propertyIds, replace);
        await saveRebuiltWatermark(warehouse, config, { ...previous!, mappingHash: database.mappingHash, propertyIds, runId }, now);
        databases.push({ ok: true, ...result });
      } catch (error) {
        logger.error({ err: error, databaseKey: database.key }, "rebuild failed");
        databases.push({ ok: false, databaseKey: database.key, error: describeError(error), errorCode: errorCodeOf(error) });
      }
    }
    const users = cached ? `the user list kept by the sync of ${cached.savedAt}` : "pages' own people values only (no user list kept yet: a sync keeps one)";
    return { runId, ok: databases.every((d) => d.ok), databases, users };
  } finally {
    await lease?.release();
    await warehouse.close().catch(() => undefined);
    await lock.release();
  }
}

/**
 * The watermark a rebuild may keep: both copies present and silver existing, as a sync would read
 * incrementally. Otherwise bronze and silver are not known to describe what the watermark says (a new,
 * emptied or replaced warehouse, a dropped table, a lost local copy): the database needs a full sync,
 * and a rebuild that kept the watermark would hide that.
 */
async function rebuildableState(warehouse: Warehouse, config: AppConfig, database: DatabaseConfig, file: Watermark | undefined, stored: Watermark | undefined) {
  const silverExisted = await warehouse.tableExists(silverTable(database, config.mapping.settings));
  const state = agreedWatermark(file, stored, silverExisted);
  if (state.previous && state.fullReason) {
    throw new SyncError(
      "state_invalid",
      `"${database.key}" needs a full sync, not a rebuild: ${state.fullReason}; run \`npm run sync -- --database ${database.key}\``,
      { context: { databaseKey: database.key } },
    );
  }
  return state.previous;
}

/**
 * A rollup or formula the previous mapping did not read holds in bronze the value it had when its
 * page was last read: nothing refreshed it while it was unmapped (a related page's edit does not
 * touch the page). Its type is read from a bronze page, where each property carries it.
 */
async function refuseStaleComputed(
  warehouse: Warehouse,
  config: AppConfig,
  database: DatabaseConfig,
  previous: Watermark,
  ids: Record<string, string>,
): Promise<Record<string, string>> {
  const before = new Set(Object.values(previous.propertyIds));
  const added = Object.entries(ids).filter(([, id]) => !before.has(id));
  if (added.length === 0) return ids;
  const notAfter = new Date(Date.now() + 86_400_000).toISOString();
  const [sample] = await warehouse.newestBronze(bronzeTable(database, config.mapping.settings), { after: "", notAfter, limit: 1 });
  if (!sample) return ids;
  const properties = Object.values((JSON.parse(sample.pageJson) as { properties?: Record<string, { id?: string; type?: string }> }).properties ?? {});
  const computed = added.filter(([, id]) => properties.some((p) => p.id === id && (p.type === "rollup" || p.type === "formula"))).map(([name]) => `"${name}"`);
  if (computed.length === 0) return ids;
  throw new SyncError(
    "schema_drift",
    `"${database.key}": newly mapped rollup or formula ${computed.join(", ")} holds in bronze the value of its page's last read, which nothing refreshed while it was unmapped; read it from Notion: \`npm run sync -- --database ${database.key} --full\``,
    { context: { databaseKey: database.key } },
  );
}

/**
 * Each mapped property's id, known without Notion: from the watermark's mapped ids (which follow
 * renames), else from the properties the last full read saw (what bronze holds).
 */
function offlinePropertyIds(database: DatabaseConfig, previous: Watermark | undefined): Record<string, string> {
  if (!previous) {
    throw new SyncError(
      "state_invalid",
      `"${database.key}" has no watermark: bronze holds nothing known to rebuild from; run \`npm run sync -- --database ${database.key}\``,
      {
        context: { databaseKey: database.key },
      },
    );
  }
  const ids: Record<string, string> = {};
  const unknown: string[] = [];
  for (const column of database.columns) {
    const id = previous.propertyIds[column.notionProperty] ?? previous.bronzeProperties?.[column.notionProperty];
    if (id) ids[column.notionProperty] = id;
    else unknown.push(`"${column.notionProperty}" (column ${column.name})`);
  }
  if (unknown.length > 0) {
    throw new SyncError(
      "schema_drift",
      `"${database.key}": bronze is not known to hold Notion propert${unknown.length === 1 ? "y" : "ies"} ${[...new Set(unknown)].join(", ")} ` +
        `(not in the data source at its last full read${previous.bronzeProperties ? "" : ", which predates this record"}); read it from Notion: \`npm run sync -- --database ${database.key} --full\``,
      { context: { databaseKey: database.key } },
    );
  }
  return ids;
}

/** Both copies of the watermark name the mapping silver now reflects; its time does not move. */
async function saveRebuiltWatermark(warehouse: Warehouse, config: AppConfig, record: Omit<Watermark, "updatedAt">, now: () => Date): Promise<void> {
  const watermark: Watermark = { ...record, updatedAt: now().toISOString() };
  await warehouse.upsertRows(watermarksTable(config.mapping.settings), [watermarkRow(watermark)]);
  await fileWatermarkStore(config.watermarkDir).put(watermark);
}
