import type { Settings } from "../config/index.js";
import type { RecentVersion } from "../state/index.js";
import type { NotionPage, TransformedPage } from "../transform/types.js";
import type { BatchLimits, DialectCapabilities } from "../warehouse/index.js";

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

/** A batch where nothing says otherwise (a dry run has no warehouse to ask): DuckDB's. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxRows: 500, maxBytes: 8 * 2 ** 20 };

/**
 * The batch of a run: the mapping's `batch_size` and `batch_max_bytes` where set (they win), else
 * what the engine states (DuckDB: 500 rows; Databricks: what one statement may carry, rows no limit).
 */
export function batchLimits(settings: Pick<Settings, "batch_size" | "batch_max_bytes">, engine: DialectCapabilities | undefined): BatchLimits {
  const own = engine?.batch ?? DEFAULT_BATCH_LIMITS;
  return { maxRows: settings.batch_size ?? own.maxRows, maxBytes: settings.batch_max_bytes ?? own.maxBytes };
}

/**
 * What one statement of small rows (the seen ids) may carry: the engine's own limits, the bytes
 * capped by `batch_max_bytes` where set (`batch_size` counts pages, not these rows).
 */
export function statementLimits(settings: Pick<Settings, "batch_max_bytes">, engine: DialectCapabilities | undefined): BatchLimits {
  const own = engine?.batch ?? DEFAULT_BATCH_LIMITS;
  return { maxRows: own.maxRows, maxBytes: settings.batch_max_bytes ?? own.maxBytes };
}

/** A bronze row's columns the writer adds (ingestion time, run id) and the JSON around them, at most. */
const STAMP_BYTES = 128;

/**
 * What a page adds to its batch's largest statement, the bronze MERGE: its bronze row as JSON, the
 * page JSON escaped inside it (quotes and backslashes double), plus the writer's stamp.
 */
export function statementBytes(result: TransformedPage): number {
  return Buffer.byteLength(JSON.stringify(result.bronze)) + STAMP_BYTES;
}

export class Batcher {
  readonly limits: BatchLimits;
  #pages = new Map<string, { pending: PendingPage; bytes: number }>();
  #bytes = 0;
  /** A page that would have carried the batch past its bytes: the first of the next one. */
  #next: { pending: PendingPage; bytes: number } | undefined;

  constructor(limits: BatchLimits) {
    this.limits = limits;
  }

  /**
   * Adds a page; returns true when the batch is full and should be written. A page that does not fit
   * in the bytes left is kept for the next batch (a page larger than the bound goes alone).
   */
  add(pending: PendingPage): boolean {
    const previous = this.#pages.get(pending.page.id);
    if (previous && previous.pending.page.last_edited_time > pending.page.last_edited_time) return this.full();
    if (previous) {
      this.#bytes -= previous.bytes;
      this.#pages.delete(pending.page.id);
    }
    const entry = { pending, bytes: statementBytes(pending.result) };
    if (this.#pages.size > 0 && this.#bytes + entry.bytes > this.limits.maxBytes) {
      this.#next = entry;
      return true;
    }
    this.#pages.set(pending.page.id, entry);
    this.#bytes += entry.bytes;
    return this.full();
  }

  get size(): number {
    return this.#pages.size + (this.#next ? 1 : 0);
  }

  /** Empties the batch and returns its pages in the order they were (last) added; a page that did not fit starts the next. */
  take(): PendingPage[] {
    const pages = [...this.#pages.values()].map((e) => e.pending);
    this.#pages = new Map();
    this.#bytes = 0;
    const next = this.#next;
    this.#next = undefined;
    if (next) {
      this.#pages.set(next.pending.page.id, next);
      this.#bytes = next.bytes;
    }
    return pages;
  }

  private full(): boolean {
    return this.#pages.size >= this.limits.maxRows || this.#bytes >= this.limits.maxBytes;
  }
}
