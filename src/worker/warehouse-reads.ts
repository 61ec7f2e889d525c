import { describeError } from "../errors.js";

/**
 * How often a page may read the warehouse, at most, while the worker's own use keeps it awake. A
 * page never wakes a sleeping warehouse by itself, but once, for its first read: on Databricks a read
 * wakes a serverless warehouse that stops after minutes of idleness, and a page left open reloads
 * every 30 s. The worker's own writes invalidate the cache (see `invalidate`), so what this worker
 * changes shows at the next reload; changes made elsewhere (a manual `npm run dq`) show after this
 * interval, at the worker's next use of the warehouse.
 */
export const WAREHOUSE_READ_INTERVAL_MS = 15 * 60_000;

/**
 * How soon after the worker's own use (a sync's batch, a check, a probe) the warehouse counts as
 * awake: a read then finds it running and extends its idle time by at most this much. Well under the
 * shortest auto-stop a Databricks SQL warehouse allows (5 minutes; 10 through the API).
 */
export const WAREHOUSE_AWAKE_MS = 2 * 60_000;

/**
 * How long a page request waits for a read before it is answered from memory (with the previous
 * read, marked as being refreshed): the runbook's P4 is a page that takes more than 5 seconds. A read
 * queued behind a sync run goes on and serves a later request.
 */
export const WAREHOUSE_READ_WAIT_MS = 2_000;

/** What a page knows of the warehouse: the last value read, when, and how the last attempt went. */
export interface CachedState<T> {
  /** The last value read; undefined before the first read that succeeded. */
  readonly value: T | undefined;
  /** When that value was read (ms since epoch). */
  readonly readAt: number | undefined;
  /** Why the last attempt failed; undefined when it succeeded (then `value` is its result). */
  readonly error: string | undefined;
  /** A read is under way: the page shows the previous value meanwhile. */
  readonly reading: boolean;
}

export interface CachedReadOptions {
  readonly now: () => number;
  /** When the worker itself last used the warehouse (ms since epoch; undefined: not since this cache exists). */
  readonly lastUse: () => number | undefined;
  /** At most one read per interval, failed attempts included. */
  readonly intervalMs?: number;
  readonly awakeMs?: number;
  readonly waitMs?: number;
}

/**
 * One value read from the warehouse, cached. The first `get` reads; after that a read starts only
 * while the warehouse is awake from the worker's own use (`lastUse` within `awakeMs`) and then only
 * when the cache was invalidated, the last attempt is older than the interval, or it failed before
 * that use (the warehouse answers again). One read at a time; callers in between get what is in
 * memory and never touch the warehouse. Reading never throws: a failure is kept as `error` beside the
 * older value. A page's reads never count as use, so a page alone cannot keep a warehouse awake.
 */
export class CachedRead<T> {
  #value: T | undefined;
  #readAt: number | undefined;
  #error: string | undefined;
  #attemptAt: number | undefined;
  #invalidated = false;
  #inFlight: Promise<void> | undefined;
  readonly #intervalMs: number;
  readonly #awakeMs: number;
  readonly #waitMs: number;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly options: CachedReadOptions,
  ) {
    this.#intervalMs = options.intervalMs ?? WAREHOUSE_READ_INTERVAL_MS;
    this.#awakeMs = options.awakeMs ?? WAREHOUSE_AWAKE_MS;
    this.#waitMs = options.waitMs ?? WAREHOUSE_READ_WAIT_MS;
  }

  /** What is in memory, without reading. */
  state(): CachedState<T> {
    return { value: this.#value, readAt: this.#readAt, error: this.#error, reading: this.#inFlight !== undefined };
  }

  /** What is in memory, unless a read is due (see the class); the one read under way is awaited for at most `waitMs`. */
  async get(): Promise<CachedState<T>> {
    if (this.#inFlight === undefined && this.due()) this.#inFlight = this.refresh();
    if (this.#inFlight !== undefined) await within(this.#inFlight, this.#waitMs);
    return this.state();
  }

  /** The warehouse changed under the worker's own hand (a check wrote the gold tables): the next `get` reads. */
  invalidate(): void {
    this.#invalidated = true;
  }

  private due(): boolean {
    const attemptAt = this.#attemptAt;
    if (attemptAt === undefined) return true;
    const now = this.options.now();
    const used = this.options.lastUse();
    if (used === undefined || now - used >= this.#awakeMs) return false;
    return this.#invalidated || now - attemptAt >= this.#intervalMs || (this.#error !== undefined && used > attemptAt);
  }

  private async refresh(): Promise<void> {
    this.#attemptAt = this.options.now();
    this.#invalidated = false;
    try {
      this.#value = await this.load();
      this.#readAt = this.options.now();
      this.#error = undefined;
    } catch (error) {
      this.#error = describeError(error);
    } finally {
      this.#inFlight = undefined;
    }
  }
}

/** Resolves when `work` does or after `ms`, whichever comes first; the timer never outlives it. */
async function within(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
