import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import type { EventBus } from "../observability/events.js";
import { newRunId, watermarkMismatches } from "../pipeline/index.js";
import { controlRoomStatusTable, runDqChecks, type DqResult } from "../quality/index.js";
import { createWarehouse, type SqlSession } from "../warehouse/index.js";
import type { WorkerStatus } from "./status.js";

/** How long a readiness answer is reused, so that probes do not open the warehouse on every call. */
const READY_CACHE_MS = 2_000;

export interface Readiness {
  readonly ok: boolean;
  readonly reason?: string;
}

/**
 * The worker's access to the warehouse, serialized for the whole process (DuckDB must not be opened
 * twice at once): sync runs, data-quality checks, and probes. One probe at a time: concurrent
 * readiness callers share the one in flight, and a probe never goes ahead of a run waiting for the
 * warehouse.
 */
export class WarehouseAccess {
  #exclusive: Promise<unknown> = Promise.resolve();
  #probing: Promise<Readiness & { at: number }> | undefined;
  #lastProbe: (Readiness & { at: number }) | undefined;
  #watermarksChecked = false;

  constructor(
    private readonly config: AppConfig,
    private readonly status: WorkerStatus,
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly now: () => number,
    /** Opens the warehouse of the settings: every session of the worker, its runs' included, is opened through it. */
    readonly openWarehouse: typeof createWarehouse = createWarehouse,
  ) {}

  /** Runs `work` once every earlier user of the warehouse is done. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#exclusive.then(work, work);
    this.#exclusive = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every queued use of the warehouse is done. */
  idle(): Promise<unknown> {
    return this.#exclusive;
  }

  /** Opens the warehouse, answers `SELECT 1`, and loads the status once (the last runs and the DQ score). */
  probe(): Promise<void> {
    return this.exclusive(async () => {
      const started = performance.now();
      const warehouse = await this.openWarehouse(this.config.warehouse).catch((error: unknown) => {
        this.events.emit("worker:probed", { ok: false, durationMs: performance.now() - started });
        throw error;
      });
      try {
        await warehouse.sql.query("SELECT 1 AS ok");
        this.events.emit("worker:probed", { ok: true, durationMs: performance.now() - started });
        if (!this.status.loaded) await this.loadStatus(warehouse.sql);
      } finally {
        await warehouse.close();
      }
    });
  }

  /** Readiness from the last probe while it is fresh (or while a run is in flight or waiting); else one shared probe. */
  ready(runInFlight: boolean): Promise<Readiness> {
    const last = this.#lastProbe;
    if (last && this.now() - last.at < READY_CACHE_MS) return Promise.resolve(last);
    if (runInFlight) return Promise.resolve(last ?? { ok: true });
    this.#probing ??= this.probe()
      .then(() => ({ at: this.now(), ok: true }))
      .catch((error: unknown) => ({ at: this.now(), ok: false, reason: `warehouse not reachable: ${describeError(error)}` }))
      .then((result) => {
        this.#lastProbe = result;
        this.#probing = undefined;
        return result;
      });
    return this.#probing;
  }

  /**
   * A read for a page (the Control Room), on its own connection, in turn with runs and checks. It
   * opens the warehouse every time: callers bound how often (see warehouse-reads.ts).
   */
  read<T>(what: string, work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      const started = performance.now();
      let ok = false;
      try {
        const warehouse = await this.openWarehouse(this.config.warehouse);
        try {
          const result = await work(warehouse.sql);
          ok = true;
          return result;
        } finally {
          await warehouse.close();
        }
      } finally {
        this.events.emit("worker:read", { what, ok, durationMs: performance.now() - started });
      }
    });
  }

  /** The data-quality checks, on their own connection. */
  checkQuality(): Promise<DqResult> {
    return this.exclusive(async () => {
      const warehouse = await this.openWarehouse(this.config.warehouse);
      try {
        return await runDqChecks(warehouse.sql, this.config, { runId: newRunId(new Date(this.now())), now: new Date(this.now()) });
      } finally {
        await warehouse.close();
      }
    });
  }

  private async loadStatus(session: SqlSession): Promise<void> {
    if (!this.#watermarksChecked) {
      // Once at start: a local copy that does not match the warehouse it now points at is said at once.
      this.#watermarksChecked = true;
      const differ = await watermarkMismatches(session, this.config).catch((error: unknown) => [`could not compare the watermarks: ${describeError(error)}`]);
      for (const line of differ) this.logger.warn(line);
    }
    await this.status.load(session, this.config.mapping.settings).catch((error: unknown) => this.logger.debug({ err: error }, "no run records yet"));
    this.status.dqScore ??= await latestScore(session, this.config).catch((error: unknown) => {
      this.logger.debug({ err: error }, "no data-quality score yet");
      return null;
    });
  }
}

/** The score of the latest data-quality check, so that /api/kpis has it across restarts. */
async function latestScore(session: SqlSession, config: AppConfig): Promise<number | null> {
  const table = controlRoomStatusTable(config.mapping.settings);
  if (!(await session.tableExists(table))) return null;
  const rows = await session.query(
    `SELECT ${session.quote("dq_score")} AS score FROM ${session.tableName(table)} ORDER BY ${session.quote("checked_at")} DESC LIMIT 1`,
  );
  return rows[0] ? Number(rows[0].score) : null;
}
