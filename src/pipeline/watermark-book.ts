import type { RecentVersion, Watermark } from "../state/index.js";
import { sameRecent, updateRecent, type RecentPages } from "./recent-pages.js";
import type { SyncPlan } from "./sync-plan.js";

/** What every watermark record of one database's sync says about whose it is. */
export interface WatermarkIdentity {
  readonly databaseKey: string;
  readonly runId: string;
  readonly dataSourceId: string;
  readonly mappingHash: string;
  readonly propertyIds: Readonly<Record<string, string>>;
  /** Every property of the data source now (name → id): recorded as what bronze holds once a full read completes. */
  readonly sourceProperties: Readonly<Record<string, string>>;
  readonly lookbackMs: number;
}

/** A watermark to store; the caller stamps `updatedAt`. */
export type WatermarkRecord = Omit<Watermark, "updatedAt">;

/**
 * The watermark's bookkeeping for one database's sync, without I/O: what the next watermark record is
 * after each committed batch, after the reconcile and after the trash pass, and whether it changed
 * (a run with nothing new writes no file). The caller stores what it returns.
 */
export class WatermarkBook {
  #saved: WatermarkRecord | undefined;
  #time: string | null;
  #lastFullAt: string | undefined;
  #bronzeProperties: Readonly<Record<string, string>> | undefined;
  #recent: RecentPages | undefined;
  #cap: string;
  #trashRead = false;

  constructor(
    private readonly identity: WatermarkIdentity,
    private readonly plan: SyncPlan,
    previous: Watermark | undefined,
  ) {
    this.#saved = previous;
    this.#time = previous?.lastEditedTime ?? null;
    this.#lastFullAt = previous?.lastFullAt;
    this.#bronzeProperties = previous?.bronzeProperties;
    // A full pass keeps only what it reads: the reconcile marks deleted what it did not see, and an older
    // version kept for such a page would be taken for what silver holds when the page comes back unchanged.
    this.#recent = plan.mode === "full" ? undefined : previous?.recent;
    this.#cap = plan.watermarkCap;
  }

  /** The page versions known to be committed in the lookback window (`recent-pages.ts`). */
  get recent(): RecentPages | undefined {
    return this.#recent;
  }

  /**
   * Page versions a batch commits (call before the record that commits with it is taken): the next
   * record keeps those in the lookback window below its watermark.
   */
  committed(versions: Iterable<readonly [string, RecentVersion]>): void {
    this.#recent = updateRecent(this.#recent, versions, this.#since(this.#time ?? new Date(0).toISOString()));
  }

  /** The watermark's time now (what the summary reports). */
  get time(): string | null {
    return this.#time;
  }

  /** A page held back for a future time: the watermark stays at or below its last_edited_time, so it is read again. */
  holdBack(lastEditedTime: string): void {
    this.#cap = earlier(this.#cap, lastEditedTime);
  }

  /**
   * After a batch of the live read committed (pages in ascending last_edited_time, the held-back ones
   * left out): the newest time in it, capped, unless the watermark would go back in an incremental run.
   */
  afterBatch(newestCommitted: string): WatermarkRecord | undefined {
    const newest = newestCommitted === "" ? "" : earlier(newestCommitted, this.#cap);
    if (newest === "" || (this.#time !== null && newest < this.#time && this.plan.mode !== "full")) return undefined;
    this.#time = newest;
    return this.#record(this.#trashStart());
  }

  /** After the full pass read to the end and the reconcile ran: an empty database gets a watermark too. */
  afterReconcile(startedAt: Date): WatermarkRecord | undefined {
    this.#lastFullAt = startedAt.toISOString();
    this.#bronzeProperties = this.identity.sourceProperties;
    this.#time ??= new Date(0).toISOString();
    return this.#record(this.#trashStart());
  }

  /** After silver was rebuilt from bronze with this mapping: the watermark names the mapping it now reflects. */
  afterRebuild(): WatermarkRecord | undefined {
    return this.#time === null ? undefined : this.#record(this.#trashStart());
  }

  /**
   * The trash pass read to the end (it runs before the live read): the records from now on say the
   * next run's trash pass starts at its own watermark again. A page trashed later is stamped after
   * this sync started, past the watermark's cap, so the next trash pass still sees it.
   */
  trashRead(): void {
    this.#trashRead = true;
  }

  /** After the last step: the record still to store (the trash pass done, trashed versions known), or undefined when the stored one says it all. */
  settled(): WatermarkRecord | undefined {
    if (this.#time === null) return undefined;
    return this.#record(this.#trashStart());
  }

  /** Where the next trash pass starts, as far as this sync knows now. */
  #trashStart(): string | null | undefined {
    return this.#trashRead ? undefined : this.plan.trashFrom;
  }

  /** The record to store, or undefined when it would equal the one stored. */
  #record(trashStart: string | null | undefined): WatermarkRecord | undefined {
    const time = this.#time!;
    // Where the next run's trash pass would start anyway needs no note.
    const trashFrom = trashStart === this.#since(time) ? undefined : trashStart;
    const recent = updateRecent(this.#recent, [], this.#since(time));
    const { lookbackMs: _lookback, sourceProperties: _source, ...identity } = this.identity;
    const next: WatermarkRecord = {
      ...identity,
      lastEditedTime: time,
      ...(trashFrom === undefined ? {} : { trashFrom }),
      ...(this.#lastFullAt === undefined ? {} : { lastFullAt: this.#lastFullAt }),
      ...(this.#bronzeProperties === undefined ? {} : { bronzeProperties: this.#bronzeProperties }),
      ...(Object.keys(recent).length === 0 ? {} : { recent }),
    };
    if (this.#saved && sameWatermark(this.#saved, next)) return undefined;
    this.#saved = next;
    return next;
  }

  /** Where the next incremental read starts for a watermark at `time`. */
  #since(time: string): string {
    return new Date(Date.parse(time) - this.identity.lookbackMs).toISOString();
  }
}

function sameWatermark(a: WatermarkRecord, b: WatermarkRecord): boolean {
  const ids = (w: Pick<Watermark, "propertyIds">) => JSON.stringify(Object.entries(w.propertyIds).sort());
  const bronze = (w: Pick<Watermark, "bronzeProperties">) => JSON.stringify(Object.entries(w.bronzeProperties ?? {}).sort());
  return (
    a.lastEditedTime === b.lastEditedTime &&
    a.dataSourceId === b.dataSourceId &&
    a.mappingHash === b.mappingHash &&
    a.trashFrom === b.trashFrom &&
    a.lastFullAt === b.lastFullAt &&
    ids(a) === ids(b) &&
    bronze(a) === bronze(b) &&
    sameRecent(a.recent, b.recent)
  );
}

/** The earlier of two ISO times. */
function earlier(a: string, b: string): string {
  return Date.parse(a) > Date.parse(b) ? b : a;
}
