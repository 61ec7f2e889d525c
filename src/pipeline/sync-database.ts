import { clockToleranceMs, type DatabaseConfig } from "../config/index.js";
import { SyncError, describeError, errorCodeOf, isSyncError } from "../errors.js";
import { resolveDataSource, type RequestCounter } from "../notion/index.js";
import type { DatabaseSummary } from "../observability/events.js";
import { watermarkRow, type Watermark } from "../state/index.js";
import { createTransformer, EMPTY_DIRECTORY, needsUserDirectory } from "../transform/index.js";
import type { UserDirectory } from "../transform/types.js";
import { bronzeTable, silverTable, watermarksTable, type Warehouse } from "../warehouse/index.js";
import { checkWatermarkTimes } from "./clock-check.js";
import type { RunContext } from "./run-context.js";
import { resolveProperties } from "./schema-check.js";
import { rebuildSilver } from "./rebuild.js";
import { lookFirst, closeLook, resumable, type Look, type PausedLook } from "./quiet-look.js";
import { knownSource, newlyMappedComputed } from "./plan-inputs.js";
import { planSync, type SyncPlan } from "./sync-plan.js";
import { SyncSteps, type SyncState } from "./sync-steps.js";
import { agreedWatermark, type AgreedState } from "./run-state.js";
import { WatermarkBook, type WatermarkRecord } from "./watermark-book.js";

/**
 * Syncs one database: plan it (resolve the data source, check the schema and the watermark, decide
 * full or incremental), mark what went to the trash, read the live pages and write them in batches (the
 * watermark moves after each committed batch), then reconcile a full pass that read to the end. Any
 * failure is caught here and returned as a failed summary: one database never stops the others.
 */
export async function syncDatabase(ctx: RunContext, database: DatabaseConfig): Promise<DatabaseSummary> {
  const sync = new DatabaseSync(ctx, database);
  let look: Look | undefined;
  try {
    // Until something needs writing, a run reads with its local state only (`quiet-look.ts`); a schema event's
    // database is planned in full (its schema read and checked) even when no page changed.
    look = ctx.warehouse || ctx.dryRun || ctx.schemaDue.has(database.key) ? undefined : await lookFirst(ctx, database, sync.counter);
    if (look?.quiet) return sync.quiet(look.pagesRead);
    const steps = await sync.prepare(look);
    // Incremental: the trash first, so the live batches commit the watermark with the trash checked (no state
    // write of its own). A full read writes its live pages first: silver is whole sooner after a new warehouse.
    const trashFirst = steps.plan.mode === "incremental";
    if (trashFirst && !(await steps.readTrash())) throw stopped(ctx, database.key, "after its last committed batch");
    if (!(await steps.read(false))) throw stopped(ctx, database.key, "after its last committed batch");
    if (steps.plan.reconcile) await steps.reconcile();
    if (!trashFirst && !(await steps.readTrash())) throw stopped(ctx, database.key, "after its last committed batch");
    await steps.settle();
    // The warehouse and the local state now agree for this database: a quiet run may trust that.
    if (ctx.warehouse) ctx.trust.checked(database.key);
    return sync.summary("success");
  } catch (error) {
    // Whatever the warehouse holds for it now is not known to agree with the local state: checked again next run.
    ctx.trust.forget(database.key);
    // No warehouse to write to: the run fails, as one that could not open it at its start.
    if (ctx.openFailure(error)) throw error;
    // Another host holds this database: skipped, as when its lease was refused before it started.
    if (errorCodeOf(error) === "lease_held") return sync.summary("skipped", error);
    // Requests dropped by a stop fail with their own errors: the database was stopped, not broken.
    const reported =
      ctx.signal.aborted && !(isSyncError(error) && ["shutdown", "lock_held"].includes(error.code))
        ? stopped(ctx, database.key, "; its uncommitted batch was discarded", error)
        : error;
    // A stop by signal is no failure: what was committed stays, the next run goes on from there.
    if (ctx.signal.aborted && errorCodeOf(reported) === "shutdown") {
      sync.log.warn({ reason: describeError(reported) }, "database sync interrupted");
      return sync.summary("interrupted", reported);
    }
    sync.log.error({ err: reported }, "database sync failed");
    return sync.summary("failed", reported);
  } finally {
    if (look && !look.quiet) await closeLook(look);
  }
}

/** What a database's sync counts and reports, whatever step it ends in. */
export class DatabaseSync implements SyncState {
  readonly startedAt: Date;
  readonly counter: RequestCounter = { count: 0 };
  readonly totals = { pagesRead: 0, rowsUpserted: 0, bronzeVersions: 0, rowsQuarantined: 0 };
  readonly log: RunContext["logger"];
  plan: SyncPlan | undefined;
  book: WatermarkBook | undefined;
  #watermark: string | null = null;

  constructor(
    readonly ctx: RunContext,
    readonly database: DatabaseConfig,
  ) {
    this.startedAt = ctx.now();
    this.log = ctx.logger.child({ databaseKey: database.key });
  }

  /** The look found nothing to write: done, with no warehouse opened and the watermark where it was. */
  async quiet(pagesRead: number): Promise<DatabaseSummary> {
    this.totals.pagesRead += pagesRead;
    this.#watermark = (await this.ctx.watermarks.get(this.database.key))?.lastEditedTime ?? null;
    this.log.debug({ pagesRead, requests: this.counter.count }, "nothing new: no warehouse opened");
    return this.summary("success");
  }

  /**
   * Opens the run's warehouse (a dry run has none), reads the state, resolves the data source and its
   * properties, and plans the sync; the reads a look paused are taken over where the plan starts them at the same place.
   */
  async prepare(look?: PausedLook): Promise<SyncSteps> {
    const { ctx, database } = this;
    const settings = ctx.config.mapping.settings;
    if (!ctx.dryRun) await ctx.openWarehouse();
    const refused = ctx.leaseRefused.get(database.key);
    if (refused) throw new SyncError("lease_held", refused, { context: { databaseKey: database.key } });
    const state = await this.agreedState();
    const previous = state.previous;
    this.#watermark = previous?.lastEditedTime ?? null;
    // Resolved for the run's order already, unless that failed: then here, where its error is this database's.
    this.counter.count += ctx.prefetchedRequests.get(database.key) ?? 0;
    const schema = ctx.schemas.get(database.key) ?? (await resolveDataSource(ctx.gateway, knownSource(ctx, database, state), this.counter));
    ctx.schemas.set(database.key, schema);
    const properties = resolveProperties(database, schema, previous?.propertyIds ?? {}, ctx.config.mapping.file);
    for (const rename of properties.renames) {
      this.log.warn({ ...rename }, "notion property renamed; following it by id; update notion_property in the mapping");
      ctx.events.emit("schema:renamed", { databaseKey: database.key, ...rename });
    }
    const lookbackMs = settings.lookback_minutes * 60_000;
    const now = this.startedAt;
    this.plan = planSync({
      full: ctx.full,
      previous,
      stateReason: state.fullReason,
      mappingHash: database.mappingHash,
      mappedPropertyIds: Object.values(properties.ids),
      newlyMappedComputed: newlyMappedComputed(properties.ids, previous, schema),
      dataSourceId: schema.dataSourceId,
      lookbackMs,
      reconcileEveryMs: settings.reconcileEveryMs,
      now,
    });
    ctx.events.emit("database:start", {
      runId: ctx.runId,
      databaseKey: database.key,
      mode: this.plan.mode,
      since: this.plan.since ?? null,
      reason: this.plan.reason,
    });
    const identity = {
      databaseKey: database.key,
      runId: ctx.runId,
      dataSourceId: schema.dataSourceId,
      mappingHash: database.mappingHash,
      propertyIds: properties.ids,
      sourceProperties: Object.fromEntries([...schema.properties].map(([name, p]) => [name, p.id])),
      lookbackMs,
    };
    this.book = new WatermarkBook(identity, this.plan, previous);
    const users = needsUserDirectory(database) ? await ctx.users() : EMPTY_DIRECTORY;
    if (this.plan.rebuild && ctx.warehouse) await this.rebuild(ctx.warehouse, this.plan.rebuild, this.book, properties.ids, users);
    const steps = new SyncSteps(this, this.plan, this.book, schema, createTransformer(database, settings.on_invalid, users, properties.names));
    steps.resume(look && resumable(look, this.plan, schema.dataSourceId) ? look : undefined);
    await steps.ensureSeenTable();
    return steps;
  }

  /**
   * The watermark to start from: the local file and the warehouse's copy compared (a dry run has only
   * the file). The tables this sync writes are created here when absent, so a silver table that did
   * not exist is known before anything is written.
   */
  private async agreedState(): Promise<AgreedState> {
    const { ctx, database } = this;
    const settings = ctx.config.mapping.settings;
    const file = await ctx.watermarks.get(database.key);
    const stored = ctx.storedWatermarks?.get(database.key);
    if (!ctx.full) {
      // Either copy in the future is refused (the older-wins rule alone would hide an edited file).
      const toleranceMs = clockToleranceMs(settings);
      checkWatermarkTimes(file, ctx.watermarks.locate(database.key), ctx.now(), toleranceMs);
      checkWatermarkTimes(stored, `${settings.schemas.meta}.watermarks (row "${database.key}")`, ctx.now(), toleranceMs);
    }
    if (!ctx.warehouse || !ctx.storedWatermarks) return { previous: file };
    const silver = silverTable(database, settings);
    const created = await ctx.warehouse.ensureTables([bronzeTable(database, settings), silver]);
    const state = agreedWatermark(file, stored, !created.includes(`${silver.schema}.${silver.name}`));
    if (file && state.previous !== file)
      this.log.warn(
        { file: file.lastEditedTime, warehouse: state.previous?.lastEditedTime },
        "the local watermark and the warehouse's differ: reading from the older",
      );
    return state;
  }

  /** Stores a watermark record the book says changed, in the warehouse and then in the local copy (never in a dry run). */
  async save(record: WatermarkRecord | undefined): Promise<void> {
    const { ctx } = this;
    if (!record || !ctx.warehouse) return;
    const watermark: Watermark = { ...record, updatedAt: ctx.now().toISOString() };
    await ctx.warehouse.upsertRows(watermarksTable(ctx.config.mapping.settings), [watermarkRow(watermark)]);
    await ctx.watermarks.put(watermark);
    this.#watermark = record.lastEditedTime;
  }

  /**
   * The mapping changed and bronze holds every property it reads: silver is rebuilt from bronze (no
   * Notion request) before the incremental read, and the watermark then names the new mapping.
   */
  private async rebuild(
    warehouse: Warehouse,
    reason: string,
    book: WatermarkBook,
    propertyIds: Readonly<Record<string, string>>,
    users: UserDirectory,
  ): Promise<void> {
    const { ctx, database } = this;
    this.log.info({ reason }, "rebuilding silver from bronze");
    const result = await rebuildSilver(
      { config: ctx.config, warehouse, logger: this.log, runId: ctx.runId, now: ctx.now, users, signal: ctx.signal },
      database,
      propertyIds,
    );
    this.totals.rowsUpserted += result.rows;
    await this.save(book.afterRebuild());
  }

  /** The local copy of a watermark the warehouse already holds (written with its batch). */
  async saveLocal(record: WatermarkRecord, updatedAt: string): Promise<void> {
    await this.ctx.watermarks.put({ ...record, updatedAt });
    this.#watermark = record.lastEditedTime;
  }

  summary(status: DatabaseSummary["status"], error?: unknown): DatabaseSummary {
    return {
      runId: this.ctx.runId,
      databaseKey: this.database.key,
      mode: this.plan?.mode ?? (this.ctx.full ? "full" : "incremental"),
      status,
      startedAt: this.startedAt,
      finishedAt: this.ctx.now(),
      ...this.totals,
      notionRequests: this.counter.count,
      // What is stored (the book may be ahead of it while a record waits); a dry run stores nothing and reports the book's.
      watermark: this.ctx.warehouse ? this.#watermark : (this.book?.time ?? this.#watermark),
      error: error === undefined ? null : describeError(error),
      errorCode: error === undefined ? null : errorCodeOf(error),
    };
  }
}

/** Why a database stopped early: shutdown, or the reason the run was aborted with (a lost run lock). */
function stopped(ctx: RunContext, databaseKey: string, detail: string, cause?: unknown): SyncError {
  const reason: unknown = ctx.signal.reason;
  const [code, why] = isSyncError(reason) ? [reason.code, `stopped (${reason.message})`] : ["shutdown" as const, "stopped by shutdown"];
  return new SyncError(code, `sync of "${databaseKey}" ${why}${detail.startsWith(";") ? detail : ` ${detail}`}`, { cause, context: { databaseKey } });
}
