import type { BatchLimits, Row } from "../warehouse/index.js";
import type { WatermarkRecord } from "./watermark-book.js";

/**
 * How often the watermark is written where it is a statement of its own (an engine without
 * transactions: Databricks, where each statement is a round trip of seconds). Where a batch commits
 * in one transaction (DuckDB) it goes with every batch.
 */
export const STATE_EVERY_MS = 60_000;

/**
 * When the watermark after a batch is stored: a record waits until `everyMs` passed since the last
 * one stored, or until the read's last batch. It is only ever stored with or after the batch it
 * describes, so a waiting record makes the watermark lag (the next run reads those pages again),
 * never run ahead of the data.
 */
export class StateCadence {
  #waiting: WatermarkRecord | undefined;
  #storedAt: number;

  constructor(
    private readonly everyMs: number,
    now: number,
  ) {
    this.#storedAt = now;
  }

  /** The record after this batch (or none); returns the record to store with it, if one is due. */
  due(record: WatermarkRecord | undefined, now: number, last: boolean): WatermarkRecord | undefined {
    if (record) this.#waiting = record;
    if (!this.#waiting || (!last && now - this.#storedAt < this.everyMs)) return undefined;
    const out = this.#waiting;
    this.#waiting = undefined;
    this.#storedAt = now;
    return out;
  }
}

/** The JSON around a seen-id row's three strings, at most. */
const SEEN_ROW_BYTES = 64;

/**
 * The ids a full pass read, kept for its reconcile and written in statements as large as the
 * engine's batch limits allow (one per batch of 500 on DuckDB; tens of thousands on Databricks). A
 * full pass starts from the beginning when it did not finish, so ids not yet written when it stops
 * cost nothing: only the reconcile at its end reads them, after the last are written.
 */
export class SeenIds {
  #rows: Row[] = [];
  #bytes = 0;

  constructor(private readonly limits: BatchLimits) {}

  /** Adds a batch's ids; returns the statements' rows to write now, each within the limits. */
  add(rows: readonly { run_id: string; database_key: string; page_id: string }[]): Row[][] {
    const full: Row[][] = [];
    for (const row of rows) {
      const bytes = row.run_id.length + row.database_key.length + row.page_id.length + SEEN_ROW_BYTES;
      if (this.#rows.length > 0 && this.#bytes + bytes > this.limits.maxBytes) full.push(this.drain());
      this.#rows.push(row);
      this.#bytes += bytes;
      if (this.#rows.length >= this.limits.maxRows) full.push(this.drain());
    }
    return full;
  }

  /** Every row not written yet. */
  drain(): Row[] {
    const rows = this.#rows;
    this.#rows = [];
    this.#bytes = 0;
    return rows;
  }
}
