import type { SyncMode } from "../observability/events.js";
import type { Watermark } from "../state/index.js";

/**
 * What one database's sync will do, decided before anything is read: a pure function of the
 * previous state, the data source as resolved now, the settings and the time. The sync then only
 * carries the plan out.
 */

/** What `planSync` decides from. */
export interface PlanInput {
  /** `--full` was asked for. */
  readonly full: boolean;
  readonly previous: Watermark | undefined;
  /** Why the state forces a full read although a watermark exists (the warehouse and the local copy disagree on having one). */
  readonly stateReason?: string | undefined;
  readonly mappingHash: string;
  /** The property ids the mapping reads now: a changed mapping that reads only what bronze holds is rebuilt from bronze. */
  readonly mappedPropertyIds: readonly string[];
  /**
   * Mapped rollups and formulas whose ids the previous mapping did not read: bronze holds their
   * values as last read, which nothing refreshed while they were unmapped (a related page's edit
   * does not touch the page), so they are read from Notion, never rebuilt.
   */
  readonly newlyMappedComputed?: readonly string[];
  /** The data source the mapping resolves to now. */
  readonly dataSourceId: string;
  readonly lookbackMs: number;
  /** How often a database is read in full (0: never). */
  readonly reconcileEveryMs: number;
  readonly now: Date;
}

export interface SyncPlan {
  readonly mode: SyncMode;
  /** Why: `--full`, `no watermark`, a changed mapping or data source, the periodic reconcile, or changes since the watermark. */
  readonly reason: string;
  /** Inclusive lower bound on last_edited_time of the live read (watermark − lookback); undefined: everything. */
  readonly since: string | undefined;
  /** Where the trash pass starts: null from the beginning (a full sync, or a trash pass never finished after one). */
  readonly trashFrom: string | null;
  /** A full pass that reads to the end marks what it did not see as deleted. */
  readonly reconcile: boolean;
  /** Silver is rebuilt from bronze before the read (the mapping changed, and bronze holds every property it reads): why. */
  readonly rebuild: string | undefined;
  /**
   * The watermark never passes the minute this sync started: a page edited while the sync runs can sit
   * behind the reader's cursor, and the next run must read it.
   */
  readonly watermarkCap: string;
}

export function planSync(input: PlanInput): SyncPlan {
  const reason = fullReason(input);
  const rebuild = reason === undefined && input.previous && input.previous.mappingHash !== input.mappingHash ? REBUILD_REASON : undefined;
  const mode: SyncMode = reason === undefined ? "incremental" : "full";
  const since = mode === "incremental" && input.previous ? new Date(Date.parse(input.previous.lastEditedTime) - input.lookbackMs).toISOString() : undefined;
  // An earlier run whose trash pass did not finish left where to resume it.
  const trashFrom = mode === "full" ? null : input.previous?.trashFrom !== undefined ? input.previous.trashFrom : (since ?? null);
  return {
    mode,
    reason: reason ?? "changes since the watermark",
    since,
    trashFrom,
    reconcile: mode === "full",
    rebuild,
    watermarkCap: minuteOf(input.now),
  };
}

/** Why this database is read in full, or undefined for an incremental sync. */
function fullReason(input: PlanInput): string | undefined {
  const { previous } = input;
  if (input.full) return "--full";
  if (!previous) return "no watermark";
  if (input.stateReason) return input.stateReason;
  if (previous.dataSourceId !== input.dataSourceId) return "the data source changed";
  if (previous.mappingHash !== input.mappingHash) {
    const unknown = notInBronze(previous, input.mappedPropertyIds);
    if (unknown !== undefined) return `the mapping of this database changed, and bronze does not hold ${unknown}`;
    const computed = input.newlyMappedComputed ?? [];
    if (computed.length > 0)
      return `the mapping of this database changed, and bronze's values of newly mapped rollups and formulas (${computed.join(", ")}) may be stale`;
  }
  if (reconcileDue(previous, input.reconcileEveryMs, input.now)) return "periodic reconcile (settings.reconcile_every)";
  return undefined;
}

const REBUILD_REASON = "the mapping of this database changed: silver rebuilt from bronze";

/** What of the mapped properties bronze may lack (undefined: it holds them all since the last full read). */
function notInBronze(previous: Watermark, mappedIds: readonly string[]): string | undefined {
  if (!previous.bronzeProperties) return "a record of its properties (the last full read predates it)";
  const held = new Set(Object.values(previous.bronzeProperties));
  const missing = mappedIds.filter((id) => !held.has(id));
  return missing.length === 0 ? undefined : `propert${missing.length === 1 ? "y" : "ies"} ${missing.join(", ")} (not in the data source at the last full read)`;
}

/**
 * How early a reconcile may come: the databases of one run start seconds or minutes apart, so the tick
 * a period after their last full read finds some a little short of it. Without the slack those are read
 * in full one tick later, a second run that opens the warehouse (and wakes a stopped one) for the same duty.
 */
export const RECONCILE_SLACK_MS = 5 * 60_000;

/** True when the last full read is older than `reconcile_every`, less the slack (0: never; a watermark without one: due). */
export function reconcileDue(previous: Watermark, everyMs: number, now: Date): boolean {
  if (everyMs === 0) return false;
  return !previous.lastFullAt || now.getTime() - Date.parse(previous.lastFullAt) >= everyMs - Math.min(RECONCILE_SLACK_MS, everyMs / 2);
}

/** Notion stamps times rounded down to the minute: the start of the minute of `time`. */
export function minuteOf(time: Date): string {
  return new Date(Math.floor(time.getTime() / 60_000) * 60_000).toISOString();
}
