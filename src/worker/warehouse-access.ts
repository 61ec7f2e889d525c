import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import type { EventBus } from "../observability/events.js";
import { newRunId, watermarkMismatches } from "../pipeline/index.js";
import { pendingRunRecords } from "../state/index.js";
import { controlRoomStatusTable, runDqChecks, type DqResult } from "../quality/index.js";
import { createWarehouse, type SqlSession, type Warehouse } from "../warehouse/index.js";
import type { WorkerStatus } from "./status.js";

export interface Readiness {
  readonly ok: boolean;
  readonly reason?: string;
}

/** The last time this process talked to the warehouse (its runs, checks, reads or probes), on the worker's clock. */
interface Contact extends Readiness {
  readonly at: number;
}

/**
 * The worker's access to the warehouse, serialized for the whole process (DuckDB must not be opened
 * twice at once): sync runs, data-quality checks, and probes. One probe at a time: concurrent
 * readiness callers share the one in flight, and a probe never goes ahead of a run waiting for the
 * warehouse. Readiness goes on the last contact, whoever made it (`warehouse:contact`): a probe opens
 * a session only when there has been none yet, or when the last one failed and is older than
 * READINESS_CHECK_INTERVAL (to see it recover). A warehouse that answered is never woken by a probe
 * (invariant 14: on Databricks a session wakes a stopped warehouse, and platforms probe every few
 * seconds); the next run that writes is the next contact.
 */
export class WarehouseAccess {
  #exclusive: Promise<unknown> = Promise.resolve();
  #probing: Promise<Readiness> | undefined;
  #lastContact: Contact | undefined;
  #watermarksChecked = false;

  constructor(
    private readonly config: AppConfig,
    private readonly status: WorkerStatus,
    private readonly events: EventBus,
    private readonly logger: Logger,
    private readonly now: () => number,
    /** Opens the warehouse of the settings: every session of the worker, its runs' included, is opened through it. */
    readonly openWarehouse: typeof createWarehouse = createWarehouse,
  ) {
    // Stamped on receipt, with the worker's clock: the event is emitted as the contact happens, and a run stamps the real time.
    events.on("warehouse:contact", (e) => (this.#lastContact = e.ok ? { at: this.now(), ok: true } : { at: this.now(), ok: false, reason: e.reason }));
  }

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
      const probed = (ok: boolean) => this.events.emit("worker:probed", { ok, durationMs: performance.now() - started });
      const warehouse = await this.open().catch((error: unknown) => {
        probed(false);
        throw error;
      });
      try {
        await warehouse.sql.query("SELECT 1 AS ok").catch((error: unknown) => {
          this.contact(false, error);
          probed(false);
          throw error;
        });
        probed(true);
        if (!this.status.loaded) await this.loadStatus(warehouse.sql);
      } finally {
        await warehouse.close();
      }
    });
  }

  /**
   * Readiness from the last contact when it succeeded, or failed less than the interval ago (or while a
   * run is in flight or waiting: its own contact will say more); else one shared probe, which is a contact.
   */
  ready(runInFlight: boolean): Promise<Readiness> {
    const last = this.#lastContact;
    if (last && (last.ok || this.now() - last.at < this.config.worker.readinessCheckIntervalMs)) return Promise.resolve(this.readiness(last));
    if (runInFlight) return Promise.resolve(last ? this.readiness(last) : { ok: true });
    this.#probing ??= this.probe()
      .catch((error: unknown) => this.logger.debug({ err: error }, "readiness probe failed"))
      .then(() => {
        this.#probing = undefined;
        return this.readiness(this.#lastContact);
      });
    return this.#probing;
  }

  private readiness(contact: Contact | undefined): Readiness {
    if (!contact) return { ok: false, reason: "warehouse not reachable: not contacted yet" };
    if (contact.ok) return { ok: true };
    const next = new Date(contact.at + this.config.worker.readinessCheckIntervalMs).toISOString();
    return {
      ok: false,
      reason: `warehouse not reachable: ${contact.reason ?? "unknown error"} (at ${new Date(contact.at).toISOString()}; checked again from ${next}, READINESS_CHECK_INTERVAL)`,
    };
  }

  /** Opens the warehouse through the factory; either outcome is a contact. */
  private async open(): Promise<Warehouse> {
    const warehouse = await this.openWarehouse(this.config.warehouse).catch((error: unknown) => {
      this.contact(false, error);
      throw error;
    });
    this.contact(true);
    return warehouse;
  }

  private contact(ok: boolean, error?: unknown): void {
    this.events.emit("warehouse:contact", ok ? { at: new Date(this.now()), ok } : { at: new Date(this.now()), ok, reason: describeError(error) });
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
        const warehouse = await this.open();
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
      const warehouse = await this.open();
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
    // Quiet runs before this start kept theirs beside the watermarks: the KPIs count them at once.
    this.status.applyKept(
      await pendingRunRecords(this.config.watermarkDir)
        .list()
        .catch(() => []),
    );
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
