import type { SkipReason } from "../pipeline/index.js";

/**
 * Failure backoff per database for the worker: after the k-th failure in a row a database sits out
 * the next min(2^(k-1), 16) − 1 ticks (0, 1, 3, 7, then 15: about 7.5 hours at the default 30-minute
 * schedule) and is then tried again; a success resets it. The others keep their schedule.
 */
export class FailureBackoff {
  readonly #failures = new Map<string, number>();
  readonly #sitOut = new Map<string, number>();

  /** The databases to skip on this tick, with the reason; `count`: the tick counts toward their sit-out. */
  skipsForTick(keys: readonly string[], count = true): Map<string, SkipReason> {
    const skips = new Map<string, SkipReason>();
    for (const key of keys) {
      const left = this.#sitOut.get(key) ?? 0;
      if (left > 0) {
        if (count) this.#sitOut.set(key, left - 1);
        skips.set(key, { code: "backoff", reason: `backing off after ${this.#failures.get(key)} failures in a row (${left} more tick${left === 1 ? "" : "s"} to sit out)` });
      }
    }
    return skips;
  }

  record(key: string, status: "success" | "failed" | "skipped"): void {
    if (status === "skipped") return;
    if (status === "success") {
      this.#failures.delete(key);
      this.#sitOut.delete(key);
      return;
    }
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    this.#sitOut.set(key, Math.min(2 ** (failures - 1), 16) - 1);
  }

  /** Picks up where the last process left off (failures in a row read from the run records). */
  seed(key: string, failures: number): void {
    if (failures <= 0) return;
    this.#failures.set(key, failures);
    this.#sitOut.set(key, Math.min(2 ** (failures - 1), 16) - 1);
  }

  consecutiveFailures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}
