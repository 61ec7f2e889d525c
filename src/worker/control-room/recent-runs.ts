import type { DatabaseSummary, EventBus } from "../../observability/events.js";
import { RUNS_SHOWN, type RunRecord } from "./queries.js";

/** One run as the page lists it: its databases' records, newest run first. */
export interface RunGroup {
  readonly runId: string;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly records: readonly RunRecord[];
}

/**
 * The runs this worker saw, kept from its events: the page lists them at once, before the warehouse
 * is read again (and a run whose records have not reached `sync_runs` yet is not missing), merged
 * with the records read from the warehouse (manual runs, earlier lives of the worker).
 */
export class RecentRuns {
  readonly #records = new Map<string, RunRecord>();

  constructor(events: EventBus, now: () => number) {
    events.on("database:done", (s) => this.add(fromSummary(s)));
    events.on("run:done", (e) => {
      // A run that failed before any database (the lock, the warehouse) has no database record.
      if (e.error === null || e.summaries.length > 0) return;
      const finishedAt = new Date(now());
      this.add({
        runId: e.runId,
        databaseKey: null,
        mode: null,
        status: "failed",
        startedAt: new Date(finishedAt.getTime() - e.durationMs),
        finishedAt,
        pagesRead: 0,
        rowsUpserted: 0,
        rowsQuarantined: 0,
        notionRequests: 0,
        errorCode: e.errorCode,
        error: e.error,
      });
    });
  }

  /** The last `limit` runs of both sources; a record seen here replaces the warehouse's copy. */
  merge(stored: readonly RunRecord[], limit = RUNS_SHOWN): RunGroup[] {
    const byKey = new Map<string, RunRecord>();
    for (const r of [...stored, ...this.#records.values()]) byKey.set(recordKey(r), r);
    return groupRuns([...byKey.values()]).slice(0, limit);
  }

  private add(record: RunRecord): void {
    this.#records.set(recordKey(record), record);
    const runs = groupRuns([...this.#records.values()]);
    for (const old of runs.slice(RUNS_SHOWN)) for (const r of old.records) this.#records.delete(recordKey(r));
  }
}

/** Records grouped by run, newest run first; databases in the order they finished. */
export function groupRuns(records: readonly RunRecord[]): RunGroup[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const list = groups.get(r.runId);
    if (list) list.push(r);
    else groups.set(r.runId, [r]);
  }
  return [...groups]
    .map(([runId, list]) => {
      list.sort((a, b) => time(a.finishedAt) - time(b.finishedAt));
      return {
        runId,
        startedAt: earliest(list.map((r) => r.startedAt)),
        finishedAt: list.at(-1)?.finishedAt ?? null,
        records: list,
      };
    })
    .sort((a, b) => time(b.finishedAt) - time(a.finishedAt) || b.runId.localeCompare(a.runId));
}

function fromSummary(s: DatabaseSummary): RunRecord {
  return {
    runId: s.runId,
    databaseKey: s.databaseKey,
    mode: s.mode,
    status: s.status,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    pagesRead: s.pagesRead,
    rowsUpserted: s.rowsUpserted,
    rowsQuarantined: s.rowsQuarantined,
    notionRequests: s.notionRequests,
    errorCode: s.errorCode,
    error: s.error,
  };
}

const recordKey = (r: RunRecord) => `${r.runId}\u0000${r.databaseKey ?? ""}`;
const time = (d: Date | null) => d?.getTime() ?? 0;

function earliest(dates: readonly (Date | null)[]): Date | null {
  const known = dates.filter((d): d is Date => d !== null);
  return known.length === 0 ? null : new Date(Math.min(...known.map((d) => d.getTime())));
}
