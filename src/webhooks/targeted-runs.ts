import { parseNotionId } from "../config/notion-id.js";
import type { EventBus } from "../observability/events.js";
import { targetOf, type EventTarget, type WebhookEvent } from "./envelope.js";

/** A database of the mapping, as events find it. */
export interface EventSource {
  readonly key: string;
  readonly databaseId: string;
  /** The mapping's `data_source_id`, if it names one. */
  readonly dataSourceId: string | undefined;
}

export interface TargetedRunsOptions {
  readonly sources: readonly EventSource[];
  /** How long events are gathered, from the first one, before their databases are synced. */
  readonly debounceMs: number;
  readonly events: EventBus;
  /**
   * Syncs these databases (the scheduler runs them at once, or folds them into one run after the run in
   * flight); `schemaDue`: those a schema event named, whose schema the run checks even if no page changed.
   */
  request(keys: readonly string[], schemaDue: readonly string[]): void;
  readonly now?: () => number;
}

export interface TargetedRuns {
  /** Maps a verified event to its databases and schedules their sync after the debounce window. */
  accept(event: WebhookEvent): { result: "accepted" | "ignored" | "duplicate"; databaseKeys: readonly string[] };
  /** A data source id the engine resolved for a database (its watermark), so events naming only it find the database. */
  learn(key: string, dataSourceId: string): void;
  /** No more requests (the worker stops). */
  stop(): void;
}

/** Event ids remembered to tell a repeated delivery (Notion retries until it gets a 2xx). */
const REMEMBERED_IDS = 5_000;
/** Event times kept per database for the lag histogram until a sync commits them. */
const KEPT_TIMES = 10_000;

/**
 * Events are signals: each names a data source to look at, never data. They are gathered over a fixed
 * window from the first one (a steady stream cannot postpone its sync forever) and the databases they
 * name are synced incrementally by the normal engine. A repeated delivery (same event id) is counted
 * once; an event's lag is measured to the commit of the first sync of its database that started after it.
 */
export function createTargetedRuns(options: TargetedRunsOptions): TargetedRuns {
  const now = options.now ?? Date.now;
  const learned = new Map<string, string>();
  const seen = new Set<string>();
  const due = new Set<string>();
  const schemaDue = new Set<string>();
  const lag = trackLag(options.events);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const flush = () => {
    timer = undefined;
    if (stopped || due.size === 0) return;
    const keys = [...due];
    const schemas = [...schemaDue];
    due.clear();
    schemaDue.clear();
    options.request(keys, schemas);
  };
  return {
    accept(event) {
      if (seen.has(event.id)) return { result: "duplicate", databaseKeys: [] };
      seen.add(event.id);
      if (seen.size > REMEMBERED_IDS) seen.delete(seen.values().next().value!);
      const target = targetOf(event);
      const keys = target ? options.sources.filter((s) => concerns(s, target, learned.get(s.key))).map((s) => s.key) : [];
      if (keys.length === 0) return { result: "ignored", databaseKeys: [] };
      const at = Math.min(Date.parse(event.timestamp), now());
      for (const key of keys) {
        due.add(key);
        if (event.type.endsWith(".schema_updated")) schemaDue.add(key);
        lag.waiting(key, at);
      }
      if (!timer && !stopped) {
        timer = setTimeout(flush, options.debounceMs);
        timer.unref();
      }
      return { result: "accepted", databaseKeys: keys };
    },
    learn(key, dataSourceId) {
      const id = parseNotionId(dataSourceId);
      if (id) learned.set(key, id);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      lag.stop();
    },
  };
}

/**
 * Whether an event's target is this database: its data source when the event names one and the data
 * source of the database is known, else the database (a database with several data sources maps one).
 */
function concerns(source: EventSource, target: EventTarget, learned: string | undefined): boolean {
  const dataSourceId = source.dataSourceId ? parseNotionId(source.dataSourceId) : learned;
  if (target.dataSourceId && dataSourceId) return target.dataSourceId === dataSourceId;
  return target.databaseId !== undefined && target.databaseId === parseNotionId(source.databaseId);
}

/**
 * An event counts as synced once a sync of its database that started after the event arrived commits,
 * whatever started that sync (an event's run, a tick); a failed sync leaves it for the next. Emits `webhook:synced` with the seconds from each event to the commit.
 */
function trackLag(events: EventBus): { waiting(key: string, at: number): void; stop(): void } {
  const waiting = new Map<string, number[]>();
  const inRun = new Map<string, number[]>();
  const offs = [
    events.on("database:start", (e) => {
      const times = waiting.get(e.databaseKey);
      if (!times) return;
      waiting.delete(e.databaseKey);
      inRun.set(`${e.runId}/${e.databaseKey}`, times);
    }),
    events.on("database:done", (s) => {
      const times = inRun.get(`${s.runId}/${s.databaseKey}`);
      if (!times) return;
      inRun.delete(`${s.runId}/${s.databaseKey}`);
      if (s.status !== "success") return keep(waiting, s.databaseKey, times);
      const at = s.finishedAt.getTime();
      events.emit("webhook:synced", { databaseKey: s.databaseKey, lagSeconds: times.map((t) => Math.max(0, (at - t) / 1000)) });
    }),
  ];
  return {
    waiting: (key, at) => keep(waiting, key, [at]),
    stop: () => offs.forEach((off) => off()),
  };
}

function keep(into: Map<string, number[]>, key: string, times: readonly number[]): void {
  const list = into.get(key) ?? [];
  list.push(...times);
  into.set(key, list.length > KEPT_TIMES ? list.slice(-KEPT_TIMES) : list);
}
