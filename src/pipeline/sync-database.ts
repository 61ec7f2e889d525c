import type { DatabaseConfig } from "../config/index.js";
import { SyncError, describeError, errorCodeOf, isSyncError } from "../errors.js";
import { completePage, needsCompletion, NotionError, readPages, resolveDataSource, type DataSourceSchema, type RequestCounter } from "../notion/index.js";
import type { DatabaseSummary } from "../observability/events.js";
import type { Watermark } from "../state/index.js";
import { createTransformer, EMPTY_DIRECTORY, type NotionPage, type PageTransformer, type TransformedPage } from "../transform/index.js";
import { bronzeTable, quarantineTable, seenPagesTable, silverTable } from "../warehouse/index.js";
import { Batcher } from "./batcher.js";
import { readAhead, type ReadAheadLimit } from "./read-ahead.js";
import { checkWatermarkTimes, holdBackFuture } from "./clock-check.js";
import type { RunContext } from "./run-context.js";
import { resolveProperties } from "./schema-check.js";
import { planSync, type SyncPlan } from "./sync-plan.js";
import { WatermarkBook, type WatermarkRecord } from "./watermark-book.js";
import { writeBatch, type BatchTables } from "./write-batch.js";

/**
 * Syncs one database: plan it (resolve the data source, check the schema and the watermark, decide
 * full or incremental), read the live pages and write them in batches (the watermark moves after each
 * committed batch), reconcile a full pass that read to the end, then mark what went to the trash. Any
 * failure is caught here and returned as a failed summary: one database never stops the others.
 */
export async function syncDatabase(ctx: RunContext, database: DatabaseConfig): Promise<DatabaseSummary> {
  const sync = new DatabaseSync(ctx, database);
  try {
    const steps = await sync.prepare();
    if (!(await steps.read(false))) throw stopped(ctx, database.key, "after its last committed batch");
    if (steps.plan.reconcile) await steps.reconcile();
    if (!(await steps.readTrash())) throw stopped(ctx, database.key, "after its last committed batch");
    return sync.summary("success");
  } catch (error) {
    // Requests dropped by a stop fail with their own errors: the database was stopped, not broken.
    const reported = ctx.signal.aborted && !(isSyncError(error) && ["shutdown", "lock_held"].includes(error.code)) ? stopped(ctx, database.key, "; its uncommitted batch was discarded", error) : error;
    sync.log.error({ err: reported }, "database sync failed");
    return sync.summary("failed", reported);
  }
}

/** What a database's sync counts and reports, whatever step it ends in. */
class DatabaseSync {
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

  /** Reads the state, resolves the data source and its properties, and plans the sync. */
  async prepare(): Promise<SyncSteps> {
    const { ctx, database } = this;
    const settings = ctx.config.mapping.settings;
    const previous = await ctx.watermarks.get(database.key);
    if (!ctx.full) checkWatermarkTimes(previous, ctx.watermarks.locate(database.key), ctx.now(), settings.clock_tolerance_minutes * 60_000);
    this.#watermark = previous?.lastEditedTime ?? null;
    const schema = await resolveDataSource(ctx.gateway, database, this.counter);
    ctx.schemas.set(database.key, schema);
    const properties = resolveProperties(database, schema, previous?.propertyIds ?? {}, ctx.config.mapping.file);
    for (const rename of properties.renames) {
      this.log.warn({ ...rename }, "notion property renamed; following it by id; update notion_property in the mapping");
      ctx.events.emit("schema:renamed", { databaseKey: database.key, ...rename });
    }
    const lookbackMs = settings.lookback_minutes * 60_000;
    this.plan = planSync({ full: ctx.full, previous, mappingHash: database.mappingHash, dataSourceId: schema.dataSourceId, lookbackMs, reconcileEveryMs: settings.reconcileEveryMs, now: this.startedAt });
    ctx.events.emit("database:start", { runId: ctx.runId, databaseKey: database.key, mode: this.plan.mode, since: this.plan.since ?? null, reason: this.plan.reason });
    this.book = new WatermarkBook({ databaseKey: database.key, runId: ctx.runId, dataSourceId: schema.dataSourceId, mappingHash: database.mappingHash, propertyIds: properties.ids, lookbackMs }, this.plan, previous);
    const users = database.columns.some((c) => c.extract === "name" || c.extract === "email") ? await ctx.users() : EMPTY_DIRECTORY;
    const steps = new SyncSteps(this, this.plan, this.book, schema, createTransformer(database, settings.on_invalid, users, properties.names));
    await steps.ensureTables();
    return steps;
  }

  /** Stores a watermark record the book says changed (never in a dry run). */
  async save(record: WatermarkRecord | undefined): Promise<void> {
    if (record && this.ctx.warehouse) await this.ctx.watermarks.put({ ...record, updatedAt: this.ctx.now().toISOString() } satisfies Watermark);
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
      watermark: this.book?.time ?? this.#watermark,
      error: error === undefined ? null : describeError(error),
      errorCode: error === undefined ? null : errorCodeOf(error),
    };
  }
}

/** The steps of a planned sync: read (live or trash), write in batches, reconcile. */
class SyncSteps {
  readonly tables: BatchTables;
  readonly batcher: Batcher;

  constructor(
    readonly sync: DatabaseSync,
    readonly plan: SyncPlan,
    readonly book: WatermarkBook,
    readonly schema: DataSourceSchema,
    readonly transformer: PageTransformer,
  ) {
    const settings = sync.ctx.config.mapping.settings;
    this.tables = { bronze: bronzeTable(sync.database, settings), silver: silverTable(sync.database, settings), quarantine: quarantineTable(settings) };
    this.batcher = new Batcher(settings.batch_size, settings.batch_max_bytes);
  }

  async ensureTables(): Promise<void> {
    const { warehouse, config } = this.sync.ctx;
    if (!warehouse) return;
    await warehouse.ensureTables([this.tables.bronze, this.tables.silver, ...(this.plan.reconcile ? [seenPagesTable(config.mapping.settings)] : [])]);
  }

  /** Reads the live pages (or the trash) and writes them; false when a stop interrupted it. */
  async read(inTrash: boolean): Promise<boolean> {
    const { ctx, database, counter, totals } = this.sync;
    const toleranceMs = ctx.config.mapping.settings.clock_tolerance_minutes * 60_000;
    const since = inTrash ? (this.plan.trashFrom ?? undefined) : this.plan.since;
    const { batch_size: items, batch_max_bytes: bytes, page_size: pageSize } = ctx.config.mapping.settings;
    const pages = readPages(ctx.gateway, { databaseKey: database.key, dataSourceId: this.schema.dataSourceId, since, pageSize, counter, inTrash });
    // Reading goes on while a batch is written, up to one batch ahead (rows and bytes, as the batcher bounds a batch).
    for await (const answer of readAhead(this.transformed(pages), { items, bytes }, pendingSize)) {
      for (const { page, result } of answer) {
        totals.pagesRead += 1;
        const heldBack = holdBackFuture(page, result, ctx.now(), toleranceMs);
        if (heldBack) {
          ctx.events.emit("page:held_back", { runId: ctx.runId, databaseKey: database.key, pageId: page.id, lastEditedTime: page.last_edited_time, createdTime: page.created_time });
          this.book.holdBack(page.last_edited_time);
        }
        if (this.batcher.add(heldBack ? { page, result: heldBack, heldBack: true } : { page, result })) await this.flush(!inTrash);
      }
      if (ctx.signal.aborted) break;
    }
    await this.flush(!inTrash);
    return !ctx.signal.aborted;
  }

  /** Pages read, completed and transformed, one answer at a time: the producer side of the read-ahead. */
  async *transformed(pages: AsyncIterable<NotionPage[]>): AsyncGenerator<TransformedAnswer> {
    const { ctx, database, counter } = this.sync;
    for await (const answer of pages) {
      const completed = await Promise.all(answer.map(async (page) => (needsCompletion(page) ? completePage(ctx.gateway, page, database.key, counter) : page)));
      yield completed.map((page) => ({ page, result: this.transformer.transform(page) }));
    }
  }

  /** Writes the batch; a batch of the live read moves the watermark (the trash pass never does). */
  async flush(live: boolean): Promise<void> {
    const { ctx, database, totals } = this.sync;
    const pending = this.batcher.take();
    if (pending.length === 0) return;
    const written = await writeBatch(ctx, database.key, this.tables, pending);
    // A full pass remembers every page it read (changed or not) for the reconcile at its end.
    if (this.plan.reconcile && live && ctx.warehouse) {
      await ctx.warehouse.insertRows(seenPagesTable(ctx.config.mapping.settings), pending.map((p) => ({ run_id: ctx.runId, database_key: database.key, page_id: p.page.id })));
    }
    totals.rowsUpserted += written.rowsUpserted;
    totals.bronzeVersions += written.bronzeVersions;
    totals.rowsQuarantined += written.rowsQuarantined;
    if (live && ctx.warehouse) {
      // Pages arrive in ascending last_edited_time, so everything up to the newest committed one is in.
      await this.sync.save(this.book.afterBatch(pending.reduce((max, p) => (!p.heldBack && p.page.last_edited_time > max ? p.page.last_edited_time : max), "")));
    }
    ctx.events.emit("batch:loaded", { runId: ctx.runId, databaseKey: database.key, pages: pending.length, rowsUpserted: written.rowsUpserted, bronzeVersions: written.bronzeVersions, quarantined: written.rowsQuarantined, watermark: this.book.time ?? "" });
  }

  /** The full pass read to the end: what it did not see is gone from Notion (deleted for good, or unshared). */
  async reconcile(): Promise<void> {
    const { ctx, database, startedAt } = this.sync;
    if (!ctx.warehouse) return;
    const marked = await ctx.warehouse.markUnseen(this.tables.silver, seenPagesTable(ctx.config.mapping.settings), { runId: ctx.runId, databaseKey: database.key, at: startedAt.toISOString() });
    this.sync.totals.rowsUpserted += marked;
    if (marked > 0) this.sync.log.info({ marked }, "reconcile: pages no longer in Notion marked deleted");
    await this.sync.save(this.book.afterReconcile(startedAt));
  }

  /**
   * Pages moved to the trash since the watermark, found with an `in_trash: true` query (trashing a page
   * bumps its last_edited_time), are written with `_is_deleted = true`. API versions that refuse the
   * flag answer 400: that is logged and the run goes on (pages deleted for good or unshared need the
   * reconcile of a full sync). False when a stop interrupted it.
   */
  async readTrash(): Promise<boolean> {
    try {
      if (!(await this.read(true))) return false;
    } catch (error) {
      if (!(error instanceof NotionError) || error.code !== "notion_bad_request") throw error;
      this.sync.log.warn({ err: error }, "the Notion API refused the in_trash query; trashed pages are not marked in this run");
      return true;
    }
    if (this.sync.ctx.warehouse) await this.sync.save(this.book.afterTrash());
    return true;
  }
}

/** Why a database stopped early: shutdown, or the reason the run was aborted with (a lost run lock). */
function stopped(ctx: RunContext, databaseKey: string, detail: string, cause?: unknown): SyncError {
  const reason: unknown = ctx.signal.reason;
  const [code, why] = isSyncError(reason) ? [reason.code, `stopped (${reason.message})`] : ["shutdown" as const, "stopped by shutdown"];
  return new SyncError(code, `sync of "${databaseKey}" ${why}${detail.startsWith(";") ? detail : ` ${detail}`}`, { cause, context: { databaseKey } });
}

/** One answer's pages with their rows, as the read-ahead holds them. */
type TransformedAnswer = { readonly page: NotionPage; readonly result: TransformedPage }[];

/** What an answer holds, in the units the batcher bounds a batch by. */
function pendingSize(answer: TransformedAnswer): ReadAheadLimit {
  return { items: answer.length, bytes: answer.reduce((n, p) => n + p.result.bronze.page_json.length, 0) };
}
