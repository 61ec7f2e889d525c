import type { ErrorCode } from "../errors.js";
import type { LockHolder } from "../state/run-lock.js";
import type { WarehouseErrorKind } from "../warehouse/warehouse-error.js";

/**
 * The typed events of a sync. The pipeline and the Notion edge emit them; the logger, metrics
 * and status subscribe. `emit` never throws: a failing listener is reported to `onListenerError`
 * and the sync goes on.
 */
export type SyncMode = "full" | "incremental";
/** `interrupted`: stopped by a signal (a deploy, Ctrl-C) after its last committed batch; no failure, no backoff. */
export type DatabaseStatus = "success" | "failed" | "skipped" | "interrupted";

export interface DatabaseSummary {
  readonly runId: string;
  readonly databaseKey: string;
  readonly mode: SyncMode;
  readonly status: DatabaseStatus;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly pagesRead: number;
  readonly rowsUpserted: number;
  readonly bronzeVersions: number;
  readonly rowsQuarantined: number;
  readonly notionRequests: number;
  readonly watermark: string | null;
  readonly error: string | null;
  readonly errorCode: ErrorCode | null;
  /** What this database's writes made the dependent refresh do in other databases (absent when it did nothing). */
  readonly dependentRefresh?: DependentRefreshSummary;
}

/** The dependent refresh after one database's writes (see pipeline/dependent-refresh.ts). */
export interface DependentRefreshSummary {
  /** The databases whose pages were re-read. */
  databases: string[];
  pagesRead: number;
  rowsUpserted: number;
  /** Related pages past the per-run cap, left for the reconcile. */
  deferred: number;
  /** Notion requests it made (also counted in the summary's notionRequests). */
  requests: number;
}

export interface SyncEvents {
  "run:start": { runId: string; databases: readonly string[]; full: boolean; dryRun: boolean };
  /** Emitted for every run that started, also one that failed before any database (`error` set). */
  "run:done": { runId: string; durationMs: number; summaries: readonly DatabaseSummary[]; error: string | null; errorCode: ErrorCode | null };
  "database:start": { runId: string; databaseKey: string; mode: SyncMode; since: string | null; reason: string };
  "database:done": DatabaseSummary;
  "batch:loaded": { runId: string; databaseKey: string; pages: number; rowsUpserted: number; bronzeVersions: number; quarantined: number; watermark: string };
  "notion:request": { method: string; path: string; status: number | "error"; durationMs: number };
  "notion:rate_limited": { retryAfterMs: number; path: string };
  "notion:retry": { path: string; attempt: number; code: ErrorCode; message: string };
  /** A warehouse statement failed transiently (a Delta write conflict, a refusal, a broken connection) and is sent again. */
  "warehouse:retry": { attempt: number; kind: WarehouseErrorKind; message: string };
  /** Opening the warehouse found it starting (503, 429, a timeout) and waits before trying again, within its startup budget. */
  "warehouse:waiting": { attempt: number; waitMs: number; waitedMs: number; budgetMs: number; message: string };
  "worker:start": { port: number; schedule: string; runOnStart: boolean };
  /** `forced`: the graceful stop took too long and the run in flight was abandoned. */
  "worker:stop": { forced: boolean };
  "worker:tick_skipped": { reason: string };
  /**
   * This process talked to the warehouse (a run opened it, the worker read, checked or probed it), or
   * failed to (`reason`): the worker's readiness goes on the last one until it is older than its interval.
   */
  "warehouse:contact": { at: Date; ok: boolean; reason?: string };
  /** The worker opened the warehouse to see whether it answers (readiness, or the KPIs at start). */
  "worker:probed": { ok: boolean; durationMs: number };
  /** The worker read the warehouse for a page (`what`: e.g. the Control Room), at most once per its interval. */
  "worker:read": { what: string; ok: boolean; durationMs: number };
  /** This run holds the run lock; `takenOver` is the stale lock it replaced. */
  "lock:acquired": { runId: string; takenOver: LockHolder | null };
  /** Another process took this run's lock over (its heartbeat stalled): the run stops after its batch. */
  "lock:lost": { runId: string; holder: LockHolder | null };
  /** Another process (another host) holds this database's lease in the warehouse: it is skipped this run. */
  "lease:refused": { runId: string; databaseKey: string; reason: string };
  /** This run's lease was taken over while it stalled: the run stops after its batch. */
  "lease:lost": { runId: string; message: string };
  /** A page stamped later than the clock allows: bronze keeps it, silver and the watermark do not move for it. */
  "page:held_back": { runId: string; databaseKey: string; pageId: string; lastEditedTime: string; createdTime: string };
  "dq:checked": { score: number; issues: number; threshold: number };
  "schema:renamed": { databaseKey: string; propertyId: string; from: string; to: string; line: number | undefined };
  /**
   * A delivery at `POST /webhooks/notion` and what became of it: `accepted` (a sync of `databaseKeys` is
   * due), `ignored` (no mapped data source, or a signed body of an unknown shape), `duplicate` (an event id
   * already seen), `handshake` (a verification token kept), or refused (`handshake_refused`, `rejected_signature`,
   * `invalid`, `too_large`), or `aborted` (the sender hung up mid-body). `type` is the event's type once its signature holds, else `unverified`.
   */
  "webhook:event": { type: string; result: WebhookResult; databaseKeys: readonly string[]; eventAt: Date | null };
  /** Events of this database whose changes a sync that started after them has committed: seconds from each event to the commit. */
  "webhook:synced": { databaseKey: string; lagSeconds: readonly number[] };
}

export type WebhookResult =
  "accepted" | "ignored" | "duplicate" | "handshake" | "handshake_refused" | "rejected_signature" | "invalid" | "too_large" | "aborted";

export type SyncEventName = keyof SyncEvents;
type Listener<E extends SyncEventName> = (payload: SyncEvents[E]) => void;

export interface EventBus {
  on<E extends SyncEventName>(event: E, listener: Listener<E>): () => void;
  emit<E extends SyncEventName>(event: E, payload: SyncEvents[E]): void;
}

export function createEventBus(onListenerError: (error: unknown, event: SyncEventName) => void = () => undefined): EventBus {
  const listeners = new Map<SyncEventName, Set<Listener<SyncEventName>>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as Listener<SyncEventName>);
      return () => set.delete(listener as Listener<SyncEventName>);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          listener(payload);
        } catch (error) {
          try {
            onListenerError(error, event);
          } catch {
            // The reporter itself failed; emitting must still never throw.
          }
        }
      }
    },
  };
}
