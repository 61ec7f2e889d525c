import type { Logger } from "pino";
import type { AppConfig } from "../../src/config/index.js";
import type { EventBus } from "../../src/observability/events.js";
import { WorkerStatus } from "../../src/worker/status.js";
import { WarehouseAccess } from "../../src/worker/warehouse-access.js";
import { LATENCY_MS } from "./serverless-dialect.js";
import type { ServerlessWarehouse, SimClock } from "./serverless-warehouse.js";

export interface DayProbes {
  /** Probes every tick before `t`, each at its simulated time, through the worker's readiness path. */
  until(t: number): Promise<void>;
  /** Ticks before `t` are answered by the worker's running status, not the warehouse (a run is in flight). */
  skipTo(t: number): void;
  readonly counts: { ticks: number; duringRuns: number; sessions: number };
}

/**
 * The container platform's readiness probe, every `intervalMs` of simulated time: the worker's own
 * readiness path (`WarehouseAccess.ready`, as `ready` in worker.ts calls it when no run is in flight),
 * with the simulated clock as its `now`, its status fed by the runs' events. WarehouseAccess opens the
 * warehouse of the config itself (no factory can be injected without changing src/), so the probes
 * reach the scratch DuckDB file, and the model learns of each session opened from the event the worker
 * emits for it (`worker:probed`): one session and its `SELECT 1` per event, at the probe's time.
 */
export function dayProbes(parts: {
  readonly config: AppConfig;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly clock: SimClock;
  readonly warehouse: ServerlessWarehouse;
  readonly startAt: number;
  readonly intervalMs: number;
}): DayProbes {
  const { config, events, logger, clock, warehouse, intervalMs } = parts;
  const status = new WorkerStatus(config.mapping.databases.map((d) => d.key));
  status.subscribe(events);
  const access = new WarehouseAccess(config, status, events, logger, () => clock.now());
  const counts = { ticks: 0, duringRuns: 0, sessions: 0 };
  events.on("worker:probed", () => {
    counts.sessions += 1;
    const opened = warehouse.use(clock.now(), "session", LATENCY_MS.session, "probe");
    warehouse.use(opened, "read", LATENCY_MS.read, "probe");
  });
  let next = parts.startAt;
  return {
    counts,
    async until(t) {
      for (; next < t; next += intervalMs) {
        clock.advanceTo(next);
        counts.ticks += 1;
        await access.ready(false);
      }
    },
    skipTo(t) {
      for (; next < t; next += intervalMs) {
        counts.ticks += 1;
        counts.duringRuns += 1;
      }
    },
  };
}
