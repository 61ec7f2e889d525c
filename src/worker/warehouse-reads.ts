import { describeError } from "../errors.js";

/**
 * How often a page may make the worker read the warehouse, at most. On Databricks a read wakes a
 * serverless warehouse that stops after minutes of idleness; a page left open (it reloads every 30 s)
 * must not keep it awake. The worker's own writes invalidate the cache (see `invalidate`), so what
 * this worker changes shows at the next reload; only changes made elsewhere (a manual `npm run dq`)
 * wait for this interval. One constant, to be kept in step with the readiness probe's interval.
 */
export const WAREHOUSE_READ_INTERVAL_MS = 15 * 60_000;

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
  /** At most one read per interval, failed attempts included. */
  readonly intervalMs?: number;
  readonly waitMs?: number;
}

/**
 * One value read from the warehouse, cached: a read starts only when the last attempt is older than
 * the interval (or the cache was invalidated), one at a time; callers in between get what is in
 * memory and never touch the warehouse. Reading never throws: a failure is kept as `error` beside the
 * older value, and counts as an attempt (an unreachable warehouse is not asked again at once).
 */
export class CachedRead<T> {
  #value: T | undefined;
  #readAt: number | undefined;
  #error: string | undefined;
  #attemptAt: number | undefined;
  #invalidated = false;
  #inFlight: Promise<void> | undefined;
  readonly #intervalMs: number;
  readonly #waitMs: number;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly options: CachedReadOptions,
  ) {
    this.#intervalMs = options.intervalMs ?? WAREHOUSE_READ_INTERVAL_MS;
    this.#waitMs = options.waitMs ?? WAREHOUSE_READ_WAIT_MS;
  }

  /** What is in memory, without reading. */
  state(): CachedState<T> {
    return { value: this.#value, readAt: this.#readAt, error: this.#error, reading: this.#inFlight !== undefined };
  }

  /** What is in memory when it is fresh; else the one read (started if none is under way), awaited for at most `waitMs`. */
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
    return this.#attemptAt === undefined || this.#invalidated || this.options.now() - this.#attemptAt >= this.#intervalMs;
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
