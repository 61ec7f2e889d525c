import type { SkipReason } from "../pipeline/index.js";
import type { WorkerStatus } from "./status.js";

/**
 * Failure backoff per database for the worker: after the k-th failure in a row (the status model's
 * counter) a database sits out the next min(2^(k-1), 16) − 1 ticks (0, 1, 3, 7, then 15: about 7.5
 * hours at the default 30-minute schedule) and is then tried again; a success resets it. The others
 * keep their schedule.
 */
export class FailureBackoff {
  readonly #sitOut = new Map<string, number>();

  constructor(private readonly status: WorkerStatus) {}

  /** The databases to skip on this tick, with the reason; `count`: the tick counts toward their sit-out. */
  skipsForTick(keys: readonly string[], count = true): Map<string, SkipReason> {
    const skips = new Map<string, SkipReason>();
    for (const key of keys) {
      const left = this.#sitOut.get(key) ?? 0;
      if (left <= 0) continue;
      if (count) this.#sitOut.set(key, left - 1);
      skips.set(key, {
        code: "backoff",
        reason: `backing off after ${this.failures(key)} failures in a row (${left} more tick${left === 1 ? "" : "s"} to sit out)`,
      });
    }
    return skips;
  }

  /** After a database's sync (or, at start, for each database's loaded streak): its sit-out from its failures in a row. */
  update(key: string): void {
    const failures = this.failures(key);
    if (failures <= 0) this.#sitOut.delete(key);
    else this.#sitOut.set(key, Math.min(2 ** (failures - 1), 16) - 1);
  }

  /** The ticks a database still sits out (0: it syncs at the next tick). */
  ticksLeft(key: string): number {
    return this.#sitOut.get(key) ?? 0;
  }

  private failures(key: string): number {
    return this.status.databases.get(key)?.consecutiveFailures ?? 0;
  }
}
