import { answeredNoEarlierThan, completePage, needsCompletion, NotionError, readPages, type DataSourceSchema } from "../notion/index.js";
import type { NotionPage, PageTransformer, TransformedPage } from "../transform/index.js";
import { watermarkRow, type RecentVersion } from "../state/index.js";
import type { PausedLook, PausedRead } from "./quiet-look.js";
import { isKnown, recentVersion } from "./recent-pages.js";
import { bronzeTable, quarantineTable, seenPagesTable, silverTable, watermarksTable, type Row } from "../warehouse/index.js";
import { Batcher, batchLimits, statementLimits } from "./batcher.js";
import { holdBackFuture } from "./clock-check.js";
import { readAhead, readAheadLimit, type ReadAheadLimit } from "./read-ahead.js";
import { clockToleranceMs, type DatabaseConfig } from "../config/index.js";
import type { RequestCounter } from "../notion/index.js";
import type { RunContext } from "./run-context.js";
import type { SyncPlan } from "./sync-plan.js";
import type { WatermarkBook, WatermarkRecord } from "./watermark-book.js";
import { writeBatch, type BatchTables } from "./write-batch.js";
import { SeenIds, StateCadence, STATE_EVERY_MS } from "./state-cadence.js";

/** What the steps of one database's sync count into and report through (`DatabaseSync`). */
export interface SyncState {
  readonly ctx: RunContext;
  readonly database: DatabaseConfig;
  readonly startedAt: Date;
  readonly counter: RequestCounter;
  readonly totals: { pagesRead: number; rowsUpserted: number; bronzeVersions: number; rowsQuarantined: number };
  readonly log: RunContext["logger"];
  /** Stores a watermark record the book says changed, in the warehouse and the local copy (never in a dry run). */
  save(record: WatermarkRecord | undefined): Promise<void>;
  /** The local copy of a watermark the warehouse already holds (written with its batch). */
  saveLocal(record: WatermarkRecord, updatedAt: string): Promise<void>;
}

/** The steps of a planned sync: read (live or trash), write in batches, reconcile. */
export class SyncSteps {
  readonly tables: BatchTables;
  readonly batcher: Batcher;
  /** When the watermark after a batch is stored (every batch where a batch is one transaction, else at most once a minute). */
  readonly cadence: StateCadence;
  /** The ids a full pass read, written in statements as large as the batch limits allow. */
  readonly seen: SeenIds;
  /** Reads a look paused, taken over instead of read again ("done": the trash read had nothing to write). */
  #resumed: { trash?: PausedRead | "done"; live?: PausedRead } = {};

  constructor(
    readonly sync: SyncState,
    readonly plan: SyncPlan,
    readonly book: WatermarkBook,
    readonly schema: DataSourceSchema,
    readonly transformer: PageTransformer,
  ) {
    const settings = sync.ctx.config.mapping.settings;
    this.tables = { bronze: bronzeTable(sync.database, settings), silver: silverTable(sync.database, settings), quarantine: quarantineTable(settings) };
    this.batcher = new Batcher(batchLimits(settings, sync.ctx.warehouse?.capabilities));
    this.cadence = new StateCadence(sync.ctx.warehouse?.capabilities.transactions === false ? STATE_EVERY_MS : 0, sync.ctx.now().getTime());
    this.seen = new SeenIds(statementLimits(settings, sync.ctx.warehouse?.capabilities));
  }

  /** Takes over the reads a look paused (`quiet-look.ts`), when the plan starts them at the same place. */
  resume(look: PausedLook | undefined): void {
    if (!look) return;
    this.#resumed = { trash: look.trash, ...(look.live ? { live: look.live } : {}) };
    this.sync.totals.pagesRead += look.pagesRead;
  }

  /** A full pass remembers the ids it read, for the reconcile: its table. */
  async ensureSeenTable(): Promise<void> {
    const { warehouse, config } = this.sync.ctx;
    if (warehouse && this.plan.reconcile) await warehouse.ensureTables([seenPagesTable(config.mapping.settings)]);
  }

  /** Reads the live pages (or the trash) and writes them; false when a stop interrupted it. */
  async read(inTrash: boolean): Promise<boolean> {
    const { ctx, database, counter, totals } = this.sync;
    const toleranceMs = clockToleranceMs(ctx.config.mapping.settings);
    const since = inTrash ? (this.plan.trashFrom ?? undefined) : this.plan.since;
    const { read_ahead_max_bytes: aheadBytes, page_size: pageSize } = ctx.config.mapping.settings;
    const resumed = inTrash ? this.#resumed.trash : this.#resumed.live;
    if (resumed === "done") return !ctx.signal.aborted;
    const pages =
      resumed?.rest() ?? readPages(ctx.gateway, { databaseKey: database.key, dataSourceId: this.schema.dataSourceId, since, pageSize, counter, inTrash });
    // Reading goes on while a batch is written, a bounded number of bytes ahead (read-ahead.ts).
    for await (const answer of readAhead(this.transformed(pages), readAheadLimit(this.batcher.limits, aheadBytes), pendingSize)) {
      for (const { page, result, version } of answer) {
        totals.pagesRead += 1;
        const heldBack = holdBackFuture(page, result, ctx.now(), toleranceMs);
        if (heldBack) {
          ctx.events.emit("page:held_back", {
            runId: ctx.runId,
            databaseKey: database.key,
            pageId: page.id,
            lastEditedTime: page.last_edited_time,
            createdTime: page.created_time,
          });
          this.book.holdBack(page.last_edited_time);
        }
        if (this.batcher.add(heldBack ? { page, result: heldBack, heldBack: true } : { page, result, version })) await this.flush(!inTrash);
      }
      if (ctx.signal.aborted) break;
    }
    await this.flush(!inTrash, true);
    return !ctx.signal.aborted;
  }

  /**
   * Pages read, completed and transformed, one answer at a time: the producer side of the read-ahead.
   * An incremental read skips the versions the watermark's recent window holds (counted as read, not
   * completed again, not written).
   */
  async *transformed(pages: AsyncIterable<NotionPage[]>): AsyncGenerator<TransformedAnswer> {
    const { ctx, database, counter, totals } = this.sync;
    const lookbackMs = ctx.config.mapping.settings.lookback_minutes * 60_000;
    for await (const answer of pages) {
      const fresh = this.plan.mode === "incremental" ? answer.filter((page) => !isKnown(this.book.recent, page, !needsCompletion(page))) : answer;
      totals.pagesRead += answer.length - fresh.length;
      const answeredAfter = answeredNoEarlierThan(answer);
      const completed = await Promise.all(
        fresh.map(async (page) => ({
          version: recentVersion(page, answeredAfter, lookbackMs),
          page: needsCompletion(page) ? await completePage(ctx.gateway, page, database.key, counter) : page,
        })),
      );
      if (completed.length > 0) yield completed.map(({ page, version }) => ({ page, version, result: this.transformer.transform(page) }));
    }
  }

  /**
   * Writes the batch; a batch of the live read moves the watermark (the trash pass never does). The
   * read's `last` flush also stores a watermark still waiting and the seen ids not yet written.
   */
  async flush(live: boolean, last = false): Promise<void> {
    const { ctx, database, totals } = this.sync;
    const pending = this.batcher.take();
    if (pending.length === 0) {
      if (last) await this.#storeWaiting(live);
      return;
    }
    // The watermark after this batch commits with it (in its transaction where the engine has them, else
    // once due); the local copy follows. Pages arrive in ascending last_edited_time: everything up to the newest is in.
    this.book.committed(pending.flatMap((p) => (p.version && !p.heldBack ? [[p.page.id, p.version] as const] : [])));
    const next =
      live && ctx.warehouse
        ? this.book.afterBatch(pending.reduce((max, p) => (!p.heldBack && p.page.last_edited_time > max ? p.page.last_edited_time : max), ""))
        : undefined;
    const record = ctx.warehouse ? this.cadence.due(next, ctx.now().getTime(), last) : undefined;
    const updatedAt = ctx.now().toISOString();
    const state = record ? { table: watermarksTable(ctx.config.mapping.settings), rows: [watermarkRow({ ...record, updatedAt })] } : undefined;
    const written = await writeBatch(ctx, database.key, this.tables, pending, state);
    if (record) await this.sync.saveLocal(record, updatedAt);
    await ctx.lease?.renew();
    // A full pass remembers every page it read (changed or not) for the reconcile at its end.
    if (this.plan.reconcile && live && ctx.warehouse) {
      const full = this.seen.add(pending.map((p) => ({ run_id: ctx.runId, database_key: database.key, page_id: p.page.id })));
      for (const rows of last ? [...full, this.seen.drain()] : full) await this.#insertSeen(rows);
    }
    totals.rowsUpserted += written.rowsUpserted;
    totals.bronzeVersions += written.bronzeVersions;
    totals.rowsQuarantined += written.rowsQuarantined;
    ctx.events.emit("batch:loaded", {
      runId: ctx.runId,
      databaseKey: database.key,
      pages: pending.length,
      rowsUpserted: written.rowsUpserted,
      bronzeVersions: written.bronzeVersions,
      quarantined: written.rowsQuarantined,
      watermark: this.book.time ?? "",
    });
  }

  /** After the read's last batch: the watermark still waiting (stored alone) and the seen ids not yet written. */
  async #storeWaiting(live: boolean): Promise<void> {
    const { ctx } = this.sync;
    if (!ctx.warehouse) return;
    await this.sync.save(this.cadence.due(undefined, ctx.now().getTime(), true));
    if (this.plan.reconcile && live) await this.#insertSeen(this.seen.drain());
  }

  async #insertSeen(rows: readonly Row[]): Promise<void> {
    if (rows.length > 0) await this.sync.ctx.warehouse?.insertRows(seenPagesTable(this.sync.ctx.config.mapping.settings), rows);
  }

  /** The full pass read to the end: what it did not see is gone from Notion (deleted for good, or unshared). */
  async reconcile(): Promise<void> {
    const { ctx, database, startedAt } = this.sync;
    if (!ctx.warehouse) return;
    const marked = await ctx.warehouse.markUnseen(this.tables.silver, seenPagesTable(ctx.config.mapping.settings), {
      runId: ctx.runId,
      databaseKey: database.key,
      at: startedAt.toISOString(),
    });
    this.sync.totals.rowsUpserted += marked;
    if (marked > 0) this.sync.log.info({ marked }, "reconcile: pages no longer in Notion marked deleted");
    await this.sync.save(this.book.afterReconcile(startedAt));
  }

  /** After the last step: the watermark record still to store, if anything changed since the last batch's. */
  async settle(): Promise<void> {
    if (this.sync.ctx.warehouse) await this.sync.save(this.book.settled());
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
    this.book.trashRead();
    return true;
  }
}

/** One answer's pages with their rows (and the version read, for the recent window), as the read-ahead holds them. */
type TransformedAnswer = { readonly page: NotionPage; readonly result: TransformedPage; readonly version: RecentVersion }[];

/** What an answer holds, in the units the batcher bounds a batch by. */
function pendingSize(answer: TransformedAnswer): ReadAheadLimit {
  return { items: answer.length, bytes: answer.reduce((n, p) => n + p.result.bronze.page_json.length, 0) };
}
