import { needsCompletion, readPages, type RequestCounter } from "../notion/index.js";
import { clockToleranceMs, type DatabaseConfig } from "../config/index.js";
import type { Watermark } from "../state/index.js";
import type { NotionPage } from "../transform/types.js";
import { checkWatermarkTimes } from "./clock-check.js";
import { isKnown } from "./recent-pages.js";
import type { RunContext } from "./run-context.js";
import { planSync, type SyncPlan } from "./sync-plan.js";

/**
 * Quiet is free: before a run has opened its warehouse, a database that its local watermark alone
 * says is due for an incremental sync, and whose last check of the warehouse is still trusted
 * (`warehouse-trust.ts`), is read first with that state only (the data source id from
 * the watermark, no schema request, no warehouse). The trash and the live queries run until the first
 * page that is not a version the watermark's recent window holds; when there is none, the database is
 * done: nothing to write, no warehouse opened, no statement sent. Otherwise the sync goes on as usual
 * and takes the reads over where they paused, when the plan it makes with the warehouse's copy of the
 * state starts them at the same place (else they are read again).
 */
export type Look = { readonly quiet: true; readonly pagesRead: number } | PausedLook;

export interface PausedLook {
  readonly quiet: false;
  readonly dataSourceId: string;
  readonly since: string;
  readonly trashFrom: string | null;
  readonly pagesRead: number;
  /** The trash read (first, as the sync reads it): "done" when it ended with nothing to write. */
  readonly trash: PausedRead | "done";
  /** The live read, when the trash was done and the live pages held the first page to write. */
  readonly live: PausedRead | undefined;
}

/**
 * Whether the local watermark alone allows the look: an incremental sync of the same mapping and
 * data source, no reconcile due, no trash pass to resume. Undefined: the sync opens the warehouse.
 */
export function lookPlan(ctx: RunContext, database: DatabaseConfig, file: Watermark | undefined) {
  const settings = ctx.config.mapping.settings;
  if (ctx.full || !file || file.trashFrom !== undefined) return undefined;
  const dataSourceId = database.dataSourceId ?? file.dataSourceId;
  const plan = planSync({
    full: false,
    previous: file,
    mappingHash: database.mappingHash,
    mappedPropertyIds: Object.values(file.propertyIds),
    dataSourceId,
    lookbackMs: settings.lookback_minutes * 60_000,
    reconcileEveryMs: settings.reconcileEveryMs,
    now: ctx.now(),
  });
  if (plan.mode !== "incremental" || plan.rebuild || plan.since === undefined) return undefined;
  return { dataSourceId, since: plan.since, trashFrom: plan.trashFrom };
}

/** Reads as the look does (see above); undefined when the local state does not allow it. */
export async function lookFirst(ctx: RunContext, database: DatabaseConfig, counter: RequestCounter): Promise<Look | undefined> {
  if (!ctx.trust.allows(database.key)) return undefined;
  const file = await ctx.watermarks.get(database.key);
  const toleranceMs = clockToleranceMs(ctx.config.mapping.settings);
  checkWatermarkTimes(file, ctx.watermarks.locate(database.key), ctx.now(), toleranceMs);
  const planned = lookPlan(ctx, database, file);
  if (!planned) return undefined;
  const read = (since: string | undefined, inTrash: boolean) =>
    new PausedRead(
      readPages(ctx.gateway, {
        databaseKey: database.key,
        dataSourceId: planned.dataSourceId,
        since,
        pageSize: ctx.config.mapping.settings.page_size,
        counter,
        inTrash,
      }),
    );
  const unknown = (page: NotionPage) => !isKnown(file?.recent, page, !needsCompletion(page));
  const trash = read(planned.trashFrom ?? undefined, true);
  let pagesRead = await trash.untilFirst(unknown);
  if (trash.paused) return { quiet: false, ...planned, pagesRead, trash, live: undefined };
  const live = read(planned.since, false);
  pagesRead += await live.untilFirst(unknown);
  if (live.paused) return { quiet: false, ...planned, pagesRead, trash: "done", live };
  return { quiet: true, pagesRead };
}

/** The sync's plan starts the reads where the look did: they are taken over, not read again. */
export function resumable(look: PausedLook, plan: SyncPlan, dataSourceId: string): boolean {
  return plan.mode === "incremental" && plan.since === look.since && plan.trashFrom === look.trashFrom && dataSourceId === look.dataSourceId;
}

/** Closes what a look left paused (what the sync took over is closed already). */
export async function closeLook(look: PausedLook): Promise<void> {
  if (look.trash !== "done") await look.trash.close();
  await look.live?.close();
}

/** A read paused at the first answer holding a page to write; the sync takes it over from that answer. */
export class PausedRead {
  #held: NotionPage[] | undefined;
  readonly #answers: AsyncIterator<NotionPage[]>;

  constructor(answers: AsyncIterable<NotionPage[]>) {
    this.#answers = answers[Symbol.asyncIterator]();
  }

  get paused(): boolean {
    return this.#held !== undefined;
  }

  /** Reads answers until one holds a page `wanted` picks (kept for `rest`); returns the pages read before it. */
  async untilFirst(wanted: (page: NotionPage) => boolean): Promise<number> {
    let read = 0;
    for (;;) {
      const next = await this.#answers.next();
      if (next.done) return read;
      if (next.value.some(wanted)) {
        this.#held = next.value;
        return read;
      }
      read += next.value.length;
    }
  }

  /** The held answer, then the rest of the read (closed when its consumer stops early). */
  async *rest(): AsyncGenerator<NotionPage[]> {
    const held = this.#held;
    this.#held = undefined;
    try {
      if (held) yield held;
      for (;;) {
        const next = await this.#answers.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await this.#answers.return?.();
    }
  }

  /** Stops the read (its generator's own clean-up runs). */
  async close(): Promise<void> {
    this.#held = undefined;
    await this.#answers.return?.();
  }
}
