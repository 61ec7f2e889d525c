import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import type { EventBus } from "../observability/events.js";

/** Where a run comes from: a tick of the schedule, the retry once a stale run lock can be taken over, or webhook events. */
export type RunOrigin = "schedule" | "retry" | "event";

export interface SchedulerOptions {
  /** node-cron expression, in UTC. */
  readonly schedule: string;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly now: () => number;
  /**
   * One run, of every database or (for events) of these; `schemaDue`: databases whose schema a schema
   * event asked to check. The scheduler never starts a second run while one is in flight.
   */
  run(origin: RunOrigin, databases?: readonly string[], schemaDue?: readonly string[]): Promise<void>;
}

/**
 * The schedule: a cron task that starts a run at each tick, never two at once (a tick that finds a
 * scheduled run in flight is skipped and counted), plus a one-off retry at a given time, plus runs of
 * the databases events asked for: at once when nothing runs, else in one follow-up run after the run
 * in flight (a burst during a run becomes one run). A tick that finds an event's run in flight is not
 * skipped but follows it: events never cost the safety net its tick.
 */
export class Scheduler {
  #inFlight: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #task: ScheduledTask | undefined;
  #stopped = false;
  #origin: RunOrigin | undefined;
  readonly #requested = new Set<string>();
  readonly #schemaDue = new Set<string>();
  #tickOwed = false;

  constructor(private readonly options: SchedulerOptions) {}

  /** A run is in flight (started by a tick, the start, or a retry). */
  get busy(): boolean {
    return this.#inFlight !== undefined;
  }

  /** When the schedule ticks next (UTC); null before start or after stop. */
  nextRunAt(): Date | null {
    return this.#stopped ? null : (this.#task?.getNextRun() ?? null);
  }

  start(): void {
    this.#task = cron.schedule(this.options.schedule, () => this.tick(), {
      name: "notion-delta-sync",
      timezone: "UTC",
      logger: cronLogger(this.options.logger),
    });
  }

  /** Starts a run now unless one is in flight. */
  tick(origin: RunOrigin = "schedule"): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#inFlight) {
      if (origin === "schedule" && this.#origin === "event") {
        this.#tickOwed = true;
        return Promise.resolve();
      }
      if (origin === "schedule") this.options.events.emit("worker:tick_skipped", { reason: "run in progress" });
      this.options.logger.info({ origin }, "run skipped: the previous run is still in progress");
      return Promise.resolve();
    }
    return this.#start(origin);
  }

  /** Syncs these databases soon: at once when no run is in flight, else in one follow-up run right after it. */
  request(databases: readonly string[], schemaDue: readonly string[] = []): void {
    if (this.#stopped) return;
    for (const key of databases) this.#requested.add(key);
    for (const key of schemaDue) this.#schemaDue.add(key);
    if (!this.#inFlight) void this.#start("event");
  }

  #start(origin: RunOrigin): Promise<void> {
    // A tick's or a retry's run syncs every database, so it also answers the events gathered so far.
    const databases = origin === "event" ? [...this.#requested] : undefined;
    const schemaDue = [...this.#schemaDue];
    this.#requested.clear();
    this.#schemaDue.clear();
    this.#origin = origin;
    this.#inFlight = this.options.run(origin, databases, schemaDue).finally(() => {
      this.#inFlight = undefined;
      this.#origin = undefined;
      if (this.#stopped) return;
      if (this.#tickOwed) {
        this.#tickOwed = false;
        void this.#start("schedule");
      } else if (this.#requested.size > 0) void this.#start("event");
    });
    return this.#inFlight;
  }

  /** Tries once more at `at` (ms since epoch), rather than waiting for the next tick; one retry at a time. */
  retryAt(at: number): void {
    if (this.#retry || this.#stopped) return;
    this.#retry = setTimeout(
      () => {
        this.#retry = undefined;
        void this.tick("retry");
      },
      Math.max(0, at - this.options.now()) + 1_000,
    );
    this.#retry.unref();
  }

  /** Stops ticking and retrying; resolves when the run in flight is done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    await this.#task?.stop();
    await this.#inFlight;
    await this.#task?.destroy();
  }

  /** The forceful stop: no more ticks or retries, and the run in flight is not waited for. */
  async halt(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    await this.#task?.destroy();
  }
}

/** node-cron's messages through pino (it would write coloured lines to the console). */
function cronLogger(logger: Logger) {
  const child = logger.child({ component: "node-cron" });
  return {
    info: (message: string) => child.debug(message),
    warn: (message: string) => child.debug(message),
    error: (message: string | Error, err?: Error) => child.error({ err: err ?? message }, typeof message === "string" ? message : message.message),
    debug: (message: string | Error) => child.debug(typeof message === "string" ? message : message.message),
  };
}
