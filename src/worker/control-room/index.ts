import type { Logger } from "pino";
import type { Settings } from "../../config/index.js";
import type { EventBus } from "../../observability/events.js";
import type { SqlSession } from "../../warehouse/index.js";
import type { WorkerStatus } from "../status.js";
import { CachedRead, type CachedReadOptions } from "../warehouse-reads.js";
import { ControlRoomQueries, type WarehouseView } from "./queries.js";
import { RecentRuns } from "./recent-runs.js";
import { renderPage } from "./render.js";
import { buildView } from "./view.js";

export { CONTROL_ROOM_CSP } from "./style.js";

/** What the Control Room reads: the worker's parts, by the little it needs of each. */
export interface ControlRoomParts {
  readonly settings: Settings;
  readonly status: WorkerStatus;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly now: () => number;
  /** The warehouse, opened in turn with runs and checks (WarehouseAccess.read). */
  read<T>(what: string, work: (session: SqlSession) => Promise<T>): Promise<T>;
  backoffTicks(key: string): number;
  nextRunAt(): Date | null;
  /** The cache's interval, awake time and wait (warehouse-reads.ts has the defaults). */
  readonly cache?: Omit<CachedReadOptions, "now" | "lastUse">;
}

export interface ControlRoom {
  /** The page's HTML: from memory, plus the warehouse's part read at most once per interval. */
  page(): Promise<string>;
}

/**
 * The Control Room (GET /): the status model and the runs seen in memory, and the warehouse's trend,
 * problems and run history through one cached read, invalidated when this worker's check rewrote them,
 * and read again only while the worker's own use keeps the warehouse awake (a batch written, a check,
 * a probe that answered).
 */
export function createControlRoom(parts: ControlRoomParts): ControlRoom {
  const { settings, status, events, logger, now } = parts;
  const queries = new ControlRoomQueries(settings);
  let lastUse: number | undefined;
  const used = () => (lastUse = now());
  const reads = new CachedRead<WarehouseView>(
    () =>
      parts
        .read("control room", (session) => queries.read(session, new Date(now())))
        .catch((error: unknown) => {
          logger.warn({ err: error }, "control room: the warehouse could not be read; the page shows what it has");
          throw error;
        }),
    { now, lastUse: () => lastUse, ...parts.cache },
  );
  events.on("batch:loaded", used);
  events.on("worker:probed", (e) => e.ok && used());
  events.on("dq:checked", () => {
    used();
    reads.invalidate();
  });
  const runs = new RecentRuns(events, now);
  return {
    async page() {
      const warehouse = await reads.get();
      const view = buildView({
        now: new Date(now()),
        settings,
        status,
        backoffTicks: (key) => parts.backoffTicks(key),
        nextRunAt: parts.nextRunAt(),
        warehouse,
        runs: runs.merge(warehouse.value?.runs ?? []),
      });
      return renderPage(view);
    },
  };
}
