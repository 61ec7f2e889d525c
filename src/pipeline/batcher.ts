import type { RecentVersion } from "../state/index.js";
import type { NotionPage, TransformedPage } from "../transform/types.js";

/**
 * Groups transformed pages into warehouse batches bounded by rows and bytes, de-duplicated by page
 * id (the newest `last_edited_time` wins; on a tie, the later read). Delta rejects several source
 * rows for one target row and DuckDB would silently pick one, so this is not optional.
 */
export interface PendingPage {
  readonly page: NotionPage;
  readonly result: TransformedPage;
  /** Stamped in the future: written to bronze only, and never moves the watermark. */
  readonly heldBack?: true;
  /** The version as read, recorded in the watermark's recent window once committed (`recent-pages.ts`). */
  readonly version?: RecentVersion;
}

export class Batcher {
  readonly #maxRows: number;
  readonly #maxBytes: number;
  #pages = new Map<string, PendingPage>();
  #bytes = 0;

  constructor(maxRows: number, maxBytes: number) {
    this.#maxRows = maxRows;
    this.#maxBytes = maxBytes;
  }

  /** Adds a page; returns true when the batch is full and should be written. */
  add(pending: PendingPage): boolean {
    const previous = this.#pages.get(pending.page.id);
    if (!previous || previous.page.last_edited_time <= pending.page.last_edited_time) {
      if (previous) this.#bytes -= Buffer.byteLength(previous.result.bronze.page_json);
      this.#pages.delete(pending.page.id);
      this.#pages.set(pending.page.id, pending);
      this.#bytes += Buffer.byteLength(pending.result.bronze.page_json);
    }
    return this.#pages.size >= this.#maxRows || this.#bytes >= this.#maxBytes;
  }

  get size(): number {
    return this.#pages.size;
  }

  /** Empties the batch and returns its pages in the order they were (last) added. */
  take(): PendingPage[] {
    const pages = [...this.#pages.values()];
    this.#pages = new Map();
    this.#bytes = 0;
    return pages;
  }
}
