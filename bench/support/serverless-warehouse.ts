/**
 * A serverless SQL warehouse as it is billed, on a simulated clock (epoch milliseconds): any use (a
 * session opened or a statement sent) at a time when it is stopped starts it (a wake: the use waits
 * `coldStartMs` more), and it stops once `idleStopMs` have passed since its last use ended. It is
 * awake (and billed) from a wake until that stop. Pure: it knows nothing of drivers or the engine
 * (serverless-dialect.ts feeds it from a driver; day-figures.ts replays recorded uses through it).
 */
export const COLD_START_MS = 5_000;
export const IDLE_STOP_MS = 10 * 60_000;

/** What a use was: a session opened, or a statement by what it does (as statement-counts.ts classifies it). */
export type UseKind = "session" | "read" | "write" | "ddl" | "run_record";

export interface Use {
  readonly at: number;
  /** When its answer came: `at` + its latency (+ the cold start when it woke the warehouse). */
  readonly end: number;
  readonly kind: UseKind;
  /** Its own latency, without the cold start (what a replay feeds again). */
  readonly latencyMs: number;
  readonly woke: boolean;
  /** Who used it (e.g. `run 17`, `probe`). */
  readonly tag: string;
}

export interface WarehouseReport {
  readonly statements: number;
  readonly sessions: number;
  readonly wakes: number;
  readonly awakeMinutes: number;
}

export interface ServerlessOptions {
  readonly coldStartMs?: number;
  readonly idleStopMs?: number;
}

export class ServerlessWarehouse {
  readonly uses: Use[] = [];
  readonly #coldStartMs: number;
  readonly #idleStopMs: number;
  /** Closed awake intervals [wake, stop]. */
  readonly #intervals: [number, number][] = [];
  #wokeAt: number | undefined;
  #lastEnd = Number.NEGATIVE_INFINITY;

  constructor(options: ServerlessOptions = {}) {
    this.#coldStartMs = options.coldStartMs ?? COLD_START_MS;
    this.#idleStopMs = options.idleStopMs ?? IDLE_STOP_MS;
  }

  /** True when a use at `t` finds it running (its idle time not yet over). */
  awakeAt(t: number): boolean {
    return this.#wokeAt !== undefined && t >= this.#wokeAt && t <= this.#lastEnd + this.#idleStopMs;
  }

  /** One use at `at` taking `latencyMs` once it runs; returns when it ends (the cold start added when it woke the warehouse). */
  use(at: number, kind: UseKind, latencyMs: number, tag = ""): number {
    const last = this.uses.at(-1);
    if (last && at < last.at) throw new RangeError(`uses must come in time order: ${new Date(at).toISOString()} after ${new Date(last.at).toISOString()}`);
    const woke = !this.awakeAt(at);
    if (woke) {
      if (this.#wokeAt !== undefined) this.#intervals.push([this.#wokeAt, this.#lastEnd + this.#idleStopMs]);
      this.#wokeAt = at;
    }
    const end = at + latencyMs + (woke ? this.#coldStartMs : 0);
    this.#lastEnd = Math.max(this.#lastEnd, end);
    this.uses.push({ at, end, kind, latencyMs, woke, tag });
    return end;
  }

  /** Every awake interval [wake, stop], the current one included (it stops `idleStopMs` after its last use). */
  awakeIntervals(): [number, number][] {
    return this.#wokeAt === undefined ? [...this.#intervals] : [...this.#intervals, [this.#wokeAt, this.#lastEnd + this.#idleStopMs]];
  }

  /** Uses, wakes and awake minutes within [from, to) (awake time clipped to it), of the uses `which` keeps. */
  report(from: number, to: number, which: (use: Use) => boolean = () => true): WarehouseReport {
    const uses = this.uses.filter((u) => u.at >= from && u.at < to && which(u));
    const awakeMs = this.awakeIntervals().reduce((sum, [start, stop]) => sum + Math.max(0, Math.min(stop, to) - Math.max(start, from)), 0);
    return {
      statements: uses.filter((u) => u.kind !== "session").length,
      sessions: uses.filter((u) => u.kind === "session").length,
      wakes: uses.filter((u) => u.woke).length,
      awakeMinutes: awakeMs / 60_000,
    };
  }
}

/** The simulated clock the engine, the probes and the warehouse share: it only moves forward. */
export class SimClock {
  #t: number;

  constructor(start: number) {
    this.#t = start;
  }

  now(): number {
    return this.#t;
  }

  /** Moves to `t` (never back: a use that ended earlier leaves the clock where it is). */
  advanceTo(t: number): void {
    if (t > this.#t) this.#t = t;
  }
}
