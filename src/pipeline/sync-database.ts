import type { DatabaseConfig } from "../config/index.js";
import { SyncError, describeError, errorCodeOf, isSyncError } from "../errors.js";
import { completePage, needsCompletion, NotionError, readPages, resolveDataSource, type RequestCounter } from "../notion/index.js";
import type { DatabaseSummary, SyncMode } from "../observability/events.js";
import type { Watermark } from "../state/index.js";
import { createTransformer, EMPTY_DIRECTORY } from "../transform/index.js";
import { bronzeTable, quarantineTable, seenPagesTable, silverTable } from "../warehouse/index.js";
import { Batcher } from "./batcher.js";
import { checkWatermarkTimes, holdBackFuture } from "./clock-check.js";
import { writeBatch } from "./write-batch.js";
import type { RunContext } from "./run-context.js";
import { resolveProperties } from "./schema-check.js";

/**
 * Syncs one database: resolve its data source and check its schema, read pages changed since the
 * watermark (minus the lookback), transform, write in batches, and move the watermark after each
 * committed batch. Any failure is caught here and returned as a failed summary: one database never
 * stops the others.
 */
export async function syncDatabase(ctx: RunContext, database: DatabaseConfig): Promise<DatabaseSummary> {
  const startedAt = ctx.now();
  const counter: RequestCounter = { count: 0 };
  const totals = { pagesRead: 0, rowsUpserted: 0, bronzeVersions: 0, rowsQuarantined: 0 };
  let mode: SyncMode = ctx.full ? "full" : "incremental";
  let watermark: string | null = null;
  const log = ctx.logger.child({ databaseKey: database.key });
  const summary = (status: DatabaseSummary["status"], error?: unknown): DatabaseSummary => ({
    runId: ctx.runId,
    databaseKey: database.key,
    mode,
    status,
    startedAt,
    finishedAt: ctx.now(),
    ...totals,
    notionRequests: counter.count,
    watermark,
    error: error === undefined ? null : describeError(error),
    errorCode: error === undefined ? null : errorCodeOf(error),
  });

  try {
    const toleranceMs = ctx.config.mapping.settings.clock_tolerance_minutes * 60_000;
    const previous = await ctx.watermarks.get(database.key);
    if (!ctx.full) checkWatermarkTimes(previous, ctx.watermarks.locate(database.key), ctx.now(), toleranceMs);
    watermark = previous?.lastEditedTime ?? null;
    const schema = await resolveDataSource(ctx.gateway, database, counter);
    ctx.schemas.set(database.key, schema);
    const properties = resolveProperties(database, schema, previous?.propertyIds ?? {}, ctx.config.mapping.file);
    for (const rename of properties.renames) {
      log.warn({ ...rename }, "notion property renamed; following it by id; update notion_property in the mapping");
      ctx.events.emit("schema:renamed", { databaseKey: database.key, ...rename });
    }
    const reason = modeReason(ctx.full, previous, database, schema.dataSourceId, reconcileDue(previous, ctx.config.mapping.settings.reconcile_every, ctx.now()));
    mode = reason === undefined ? "incremental" : "full";
    const lookbackMs = ctx.config.mapping.settings.lookback_minutes * 60_000;
    const since = mode === "incremental" && previous ? new Date(Date.parse(previous.lastEditedTime) - lookbackMs).toISOString() : undefined;
    // Where the trash pass must start: a full run, or an earlier run whose trash pass did not finish, looks further back.
    const trashFrom: string | null = mode === "full" ? null : previous?.trashFrom !== undefined ? previous.trashFrom : (since ?? null);
    ctx.events.emit("database:start", { runId: ctx.runId, databaseKey: database.key, mode, since: since ?? null, reason: reason ?? "changes since the watermark" });

    const settings = ctx.config.mapping.settings;
    const tables = { bronze: bronzeTable(database, settings), silver: silverTable(database, settings), quarantine: quarantineTable(settings) };
    if (ctx.warehouse) await ctx.warehouse.ensureTables([tables.bronze, tables.silver]);
    const needsUsers = database.columns.some((c) => c.extract === "name" || c.extract === "email");
    const users = needsUsers ? await ctx.users() : EMPTY_DIRECTORY;
    const transformer = createTransformer(database, settings.on_invalid, users, properties.names);
    const batcher = new Batcher(settings.batch_size, settings.batch_max_bytes);

    // Written only when something in it changes: a run with nothing new leaves the file as it was.
    let saved = previous;
    let lastFullAt = previous?.lastFullAt;
    const seen = seenPagesTable(settings);
    if (ctx.warehouse && mode === "full") await ctx.warehouse.ensureTables([seen]);
    const saveWatermark = async (lastEditedTime: string, trashStart: string | null | undefined) => {
      // Where the next run's trash pass would start anyway needs no note.
      const pendingTrashFrom = trashStart === new Date(Date.parse(lastEditedTime) - lookbackMs).toISOString() ? undefined : trashStart;
      const next = {
        databaseKey: database.key, lastEditedTime, runId: ctx.runId, dataSourceId: schema.dataSourceId, mappingHash: database.mappingHash, propertyIds: properties.ids,
        ...(pendingTrashFrom === undefined ? {} : { trashFrom: pendingTrashFrom }),
        ...(lastFullAt === undefined ? {} : { lastFullAt }),
      };
      const ids = (w: Pick<Watermark, "propertyIds">) => JSON.stringify(Object.entries(w.propertyIds).sort());
      const same = (w: Watermark | undefined) =>
        w !== undefined && w.lastEditedTime === next.lastEditedTime && w.dataSourceId === next.dataSourceId && w.mappingHash === next.mappingHash && w.trashFrom === pendingTrashFrom && w.lastFullAt === lastFullAt && ids(w) === ids(next);
      if (same(saved)) return;
      saved = { ...next, updatedAt: ctx.now().toISOString() };
      await ctx.watermarks.put(saved);
    };

    // `moveWatermark` is false for the trash pass: trashed pages are marked, the watermark stays with the live pages.
    const flush = async (moveWatermark: boolean) => {
      const pending = batcher.take();
      if (pending.length === 0) return;
      const written = await writeBatch(ctx, database.key, tables, pending);
      // A full pass remembers every page it read (changed or not) for the reconcile at its end.
      if (mode === "full" && moveWatermark && ctx.warehouse) await ctx.warehouse.insertRows(seen, pending.map((p) => ({ run_id: ctx.runId, database_key: database.key, page_id: p.page.id })));
      totals.rowsUpserted += written.rowsUpserted;
      totals.bronzeVersions += written.bronzeVersions;
      totals.rowsQuarantined += written.rowsQuarantined;
      // Pages arrive in ascending last_edited_time, so everything up to the newest committed one is in;
      // but never past the cap (the minute this sync started, or a page held back for its times).
      const newest = capped(pending.reduce((max, p) => (!p.heldBack && p.page.last_edited_time > max ? p.page.last_edited_time : max), ""), cap);
      if (moveWatermark && ctx.warehouse && newest && (watermark === null || newest >= watermark || mode === "full")) {
        await saveWatermark(newest, trashFrom);
        watermark = newest;
      }
      ctx.events.emit("batch:loaded", { runId: ctx.runId, databaseKey: database.key, pages: pending.length, rowsUpserted: written.rowsUpserted, bronzeVersions: written.bronzeVersions, quarantined: written.rowsQuarantined, watermark: watermark ?? "" });
    };

    /**
     * The watermark's upper bound. A page edited while this sync runs can sit behind the reader's
     * cursor (its new time is in the minute being read): capping the watermark at the minute the sync
     * started makes the next run re-read everything edited since. A page held back for a future time
     * lowers the cap to its own last_edited_time, so that it is read again once its times agree.
     */
    let cap = new Date(Math.floor(startedAt.getTime() / 60_000) * 60_000).toISOString();
    let interrupted = false;
    const consume = async (inTrash: boolean) => {
      const from = inTrash ? (trashFrom ?? undefined) : since;
      const read = readPages(ctx.gateway, { databaseKey: database.key, dataSourceId: schema.dataSourceId, since: from, pageSize: settings.page_size, counter, inTrash });
      for await (const pages of read) {
        const completed = await Promise.all(pages.map((page) => (needsCompletion(page) ? completePage(ctx.gateway, page, database.key, counter) : page)));
        for (const page of completed) {
          totals.pagesRead += 1;
          const result = transformer.transform(page);
          const heldBack = holdBackFuture(page, result, ctx.now(), toleranceMs);
          if (heldBack) {
            ctx.events.emit("page:held_back", { runId: ctx.runId, databaseKey: database.key, pageId: page.id, lastEditedTime: page.last_edited_time, createdTime: page.created_time });
            cap = capped(cap, page.last_edited_time);
          }
          if (batcher.add(heldBack ? { page, result: heldBack, heldBack: true } : { page, result })) await flush(!inTrash);
        }
        if (ctx.signal.aborted) {
          interrupted = true;
          break;
        }
      }
      await flush(!inTrash);
    };

    await consume(false);
    if (!interrupted && mode === "full" && ctx.warehouse) {
      // Read to the end: what the pass did not see is gone from Notion (deleted for good, or unshared).
      const marked = await ctx.warehouse.markUnseen(tables.silver, seen, { runId: ctx.runId, databaseKey: database.key, at: startedAt.toISOString() });
      totals.rowsUpserted += marked;
      if (marked > 0) log.info({ marked }, "reconcile: pages no longer in Notion marked deleted");
      lastFullAt = startedAt.toISOString();
      // An empty database gets a watermark too, or every later run would read it in full again.
      watermark ??= new Date(0).toISOString();
      await saveWatermark(watermark, trashFrom);
    }
    if (!interrupted) {
      await markTrashed(() => consume(true), log);
      // The trash is checked up to now: the next run's trash pass starts at its own watermark again.
      if (!interrupted && ctx.warehouse && watermark !== null && saved?.trashFrom !== undefined) await saveWatermark(watermark, undefined);
    }
    if (interrupted) throw stopped(ctx, database.key, "after its last committed batch");
    return summary("success");
  } catch (error) {
    // Requests dropped by a stop fail with their own errors: the database was stopped, not broken.
    const reported = ctx.signal.aborted && !(isSyncError(error) && error.code === "shutdown") ? stopped(ctx, database.key, "; its uncommitted batch was discarded", error) : error;
    log.error({ err: reported }, "database sync failed");
    return summary("failed", reported);
  }
}

/**
 * Pages moved to the trash since the watermark, found with an `in_trash: true` query (trashing a page
 * bumps its last_edited_time), are written with `_is_deleted = true`. API versions that refuse the
 * flag answer 400: that is logged and the run goes on (pages deleted for good or unshared need the
 * reconcile of a full sync).
 */
async function markTrashed(readTrash: () => Promise<void>, log: RunContext["logger"]): Promise<void> {
  try {
    await readTrash();
  } catch (error) {
    if (!(error instanceof NotionError) || error.code !== "notion_bad_request") throw error;
    log.warn({ err: error }, "the Notion API refused the in_trash query; trashed pages are not marked in this run");
  }
}

/** Why this database is resynced in full, or undefined for an incremental sync. */
function modeReason(full: boolean, previous: Watermark | undefined, database: DatabaseConfig, dataSourceId: string, reconcile: boolean): string | undefined {
  if (full) return "--full";
  if (!previous) return "no watermark";
  if (previous.mappingHash !== database.mappingHash) return "the mapping of this database changed";
  if (previous.dataSourceId !== dataSourceId) return "the data source changed";
  if (reconcile) return "periodic reconcile (settings.reconcile_every)";
  return undefined;
}

/** True when the last full read is older than `reconcile_every` (`0`: never; a watermark without one: due). */
function reconcileDue(previous: Watermark | undefined, every: string, now: Date): boolean {
  const match = /^(\d+)\s*([mhd])?$/.exec(every);
  const amount = Number(match?.[1] ?? 0);
  if (amount === 0) return false;
  const unitMs = { m: 60_000, h: 3_600_000, d: 86_400_000 }[(match?.[2] ?? "m") as "m" | "h" | "d"];
  return !previous?.lastFullAt || now.getTime() - Date.parse(previous.lastFullAt) >= amount * unitMs;
}

/** The earlier of two ISO times ("" is none). */
function capped(time: string, cap: string): string {
  return time !== "" && Date.parse(time) > Date.parse(cap) ? cap : time;
}

/** Why a database stopped early: shutdown, or the reason the run was aborted with (a lost run lock). */
function stopped(ctx: RunContext, databaseKey: string, detail: string, cause?: unknown): SyncError {
  const reason: unknown = ctx.signal.reason;
  const [code, why] = isSyncError(reason) ? [reason.code, `stopped (${reason.message})`] : ["shutdown" as const, "stopped by shutdown"];
  return new SyncError(code, `sync of "${databaseKey}" ${why}${detail.startsWith(";") ? detail : ` ${detail}`}`, { cause, context: { databaseKey } });
}
