import type { DatabaseSummary, EventBus } from "../observability/events.js";
import type { Settings } from "../config/index.js";
import type { LockHolder } from "../state/index.js";
import { cellText, SYNC_RUN_COLUMNS, syncRunsTable, type SqlSession } from "../warehouse/index.js";

/**
 * The worker's status model: what /api/kpis, /readyz, the metrics and the failure backoff read. Per
 * database the last success, the last run and the failures in a row (the one failure counter);
 * whether a run is in progress; the data-quality score; whether scheduled runs are being skipped for
 * another process's run lock. Loaded from `ppm_meta.sync_runs` when the worker starts (so it survives
 * restarts), then kept current from the sync's events.
 */
export interface DatabaseKpi {
  lastSuccessAt: Date | null;
  lastRunAt: Date | null;
  lastStatus: DatabaseSummary["status"] | null;
  lastError: string | null;
  /** The closed code of that error (the Control Room's fix hint is chosen by it). */
  lastErrorCode: string | null;
  pages: number;
  rows: number;
  consecutiveFailures: number;
  /** The newest watermark a run reported: where the next incremental read starts. */
  watermark: string | null;
  /** The timestamp of the newest webhook event accepted for it (this process's life only). */
  lastEventAt: Date | null;
}

/** One database in GET /api/kpis. */
export interface DatabaseKpis {
  last_success_at: string | null;
  /** null: never synced successfully. */
  freshness_minutes: number | null;
  last_status: DatabaseKpi["lastStatus"];
  last_run_at: string | null;
  last_error: string | null;
  pages: number;
  rows: number;
  consecutive_failures: number;
  /** The newest webhook event accepted for it, by its timestamp; null with webhooks off or none yet. */
  last_event_at: string | null;
}

/** The JSON of GET /api/kpis (the Control Room reads the same numbers). */
export interface Kpis {
  /** The oldest database's; a database never synced counts as old as the worker. */
  freshness_minutes: number | null;
  databases: Record<string, DatabaseKpis>;
  dq_score: number | null;
  running: boolean;
  last_run_error: string | null;
  generated_at: string;
}

export class WorkerStatus {
  readonly databases = new Map<string, DatabaseKpi>();
  running = false;
  loaded = false;
  /** The score of the latest data-quality check (loaded at start, then from each check). */
  dqScore: number | null = null;
  /** Set while scheduled runs are skipped because another process holds the run lock. */
  lockBlocked: { holder: LockHolder; since: string } | undefined;
  /** The error of the last run that failed before syncing any database (the lock, the warehouse). */
  lastRunError: string | null = null;
  /** When the worker started: the staleness of a database that never synced is counted from here. */
  readonly startedAt: Date;

  constructor(keys: readonly string[], startedAt: Date = new Date()) {
    this.startedAt = startedAt;
    for (const key of keys)
      this.databases.set(key, {
        lastSuccessAt: null,
        lastRunAt: null,
        lastStatus: null,
        lastError: null,
        lastErrorCode: null,
        pages: 0,
        rows: 0,
        consecutiveFailures: 0,
        watermark: null,
        lastEventAt: null,
      });
  }

  subscribe(events: EventBus): void {
    events.on("run:start", () => (this.running = true));
    events.on("run:done", (e) => {
      this.running = false;
      this.lastRunError = e.error;
    });
    events.on("database:done", (s) => this.record(s));
    events.on("dq:checked", (e) => (this.dqScore = e.score));
    events.on("webhook:event", (e) => {
      for (const key of e.result === "accepted" ? e.databaseKeys : []) {
        const db = this.databases.get(key);
        if (db && e.eventAt && (!db.lastEventAt || e.eventAt > db.lastEventAt)) db.lastEventAt = e.eventAt;
      }
    });
    // Runs are no longer skipped for the lock once a run of this worker holds it.
    events.on("lock:acquired", () => (this.lockBlocked = undefined));
  }

  /** Scheduled runs are being skipped because another process holds the run lock. */
  blockedBy(holder: LockHolder, now: Date): void {
    this.lockBlocked = { holder, since: this.lockBlocked?.since ?? now.toISOString() };
  }

  record(
    s: Pick<DatabaseSummary, "databaseKey" | "status" | "finishedAt" | "error" | "pagesRead" | "rowsUpserted"> &
      Partial<Pick<DatabaseSummary, "errorCode" | "watermark">>,
  ): void {
    const db = this.databases.get(s.databaseKey);
    if (!db) return;
    db.lastRunAt = s.finishedAt;
    db.lastStatus = s.status;
    db.lastError = s.error;
    db.lastErrorCode = s.errorCode ?? null;
    db.watermark = s.watermark ?? db.watermark;
    db.pages = s.pagesRead;
    db.rows = s.rowsUpserted;
    if (s.status === "success") {
      db.lastSuccessAt = s.finishedAt;
      db.consecutiveFailures = 0;
    } else if (s.status === "failed") {
      db.consecutiveFailures += 1;
    }
  }

  /** Reads each database's recent run records: the last run, the last success, the failures in a row. */
  async load(warehouse: SqlSession, settings: Settings): Promise<void> {
    const c = SYNC_RUN_COLUMNS;
    const q = (name: string) => warehouse.quote(name);
    const table = warehouse.tableName(syncRunsTable(settings));
    const [key, status, finished] = [c.databaseKey, c.status, c.finishedAt];
    const shown = [key, status, finished, c.error, c.errorCode, c.watermark, c.pagesRead, c.rowsUpserted].map(q).join(", ");
    const recent = await warehouse.query(
      `SELECT ${shown} FROM (SELECT *, row_number() OVER (PARTITION BY ${q(key)} ORDER BY ${q(finished)} DESC) AS rn FROM ${table}) r WHERE rn <= 20 ORDER BY ${q(key)}, ${q(finished)} DESC`,
    );
    const successes = await warehouse.query(`SELECT ${q(key)}, max(${q(finished)}) AS at FROM ${table} WHERE ${q(status)} = 'success' GROUP BY ${q(key)}`);
    for (const [databaseKey, db] of this.databases) {
      const rows = recent.filter((r) => r[key] === databaseKey);
      const last = rows[0];
      if (last) {
        db.lastRunAt = toDate(last[finished]);
        db.lastStatus = last[status] as DatabaseSummary["status"];
        db.lastError = (last[c.error] as string | null) ?? null;
        db.lastErrorCode = (last[c.errorCode] as string | null) ?? null;
        db.pages = Number(last[c.pagesRead]);
        db.rows = Number(last[c.rowsUpserted]);
      }
      const streak = rows.findIndex((r) => r[status] === "success");
      db.consecutiveFailures = (streak === -1 ? rows : rows.slice(0, streak)).filter((r) => r[status] === "failed").length;
      db.lastSuccessAt = toDate(successes.find((r) => r[key] === databaseKey)?.at);
      db.watermark = toDate(rows.find((r) => r[c.watermark] !== null && r[c.watermark] !== undefined)?.[c.watermark])?.toISOString() ?? null;
    }
    this.loaded = true;
  }

  /**
   * The run records quiet runs keep until a run opens the warehouse (`pendingRunRecords`): newer than
   * what `sync_runs` holds, so applied after `load`, in the order they were kept.
   */
  applyKept(rows: readonly Readonly<Record<string, unknown>>[]): void {
    const c = SYNC_RUN_COLUMNS;
    for (const row of rows) {
      const text = (name: string) => (typeof row[name] === "string" ? row[name] : null);
      const finishedAt = toDate(row[c.finishedAt]);
      const databaseKey = text(c.databaseKey);
      const last = databaseKey ? this.databases.get(databaseKey)?.lastRunAt : undefined;
      // Kept because the warehouse could not take it then: older than what it holds now, it says nothing new.
      if (!finishedAt || !databaseKey || (last && finishedAt.getTime() <= last.getTime())) continue;
      this.record({
        databaseKey,
        status: text(c.status) as DatabaseSummary["status"],
        finishedAt,
        error: text(c.error),
        errorCode: text(c.errorCode) as DatabaseSummary["errorCode"],
        watermark: text(c.watermark),
        pagesRead: Number(row[c.pagesRead] ?? 0),
        rowsUpserted: Number(row[c.rowsUpserted] ?? 0),
      });
    }
  }

  /** The JSON of GET /api/kpis. Freshness of a database never synced is null; overall is the oldest. */
  toJson(now: number): Kpis {
    const databases: Record<string, DatabaseKpis> = {};
    const freshness: number[] = [];
    for (const [key, db] of this.databases) {
      const minutes = db.lastSuccessAt ? round((now - db.lastSuccessAt.getTime()) / 60_000) : null;
      // Never synced: at least as stale as the worker is old, so the runbook's "> 30" check still fires.
      freshness.push(minutes ?? round((now - this.startedAt.getTime()) / 60_000));
      databases[key] = {
        last_success_at: db.lastSuccessAt?.toISOString() ?? null,
        freshness_minutes: minutes,
        last_status: db.lastStatus,
        last_run_at: db.lastRunAt?.toISOString() ?? null,
        last_error: db.lastError,
        pages: db.pages,
        rows: db.rows,
        consecutive_failures: db.consecutiveFailures,
        last_event_at: db.lastEventAt?.toISOString() ?? null,
      };
    }
    return {
      freshness_minutes: freshness.length === 0 ? null : Math.max(...freshness),
      databases,
      dq_score: this.dqScore,
      running: this.running,
      last_run_error: this.lastRunError,
      generated_at: new Date(now).toISOString(),
    };
  }
}

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(cellText(value));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
