import cron from "node-cron";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { startWorker, type Worker } from "../../src/worker/worker.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/**
 * Both ways the worker stops end its schedule: after either, no cron task of the worker is left to
 * tick (one left running would also keep the process alive).
 */
let fixture: SyncFixture | undefined;
let worker: Worker | undefined;
const logger = pino({ level: "silent" });
const scheduled = () => [...cron.getTasks().values()].filter((task) => task.name === "notion-delta-sync" && task.getStatus() !== "destroyed");

afterEach(async () => {
  await worker?.stop();
  await fixture?.close();
  worker = undefined;
  fixture = undefined;
});

describe("stopping the worker", () => {
  for (const how of ["stop", "kill"] as const) {
    it(`${how}() stops the scheduler`, async () => {
      fixture = await syncFixture({ seed: 4 });
      const config = fixture.config({ PORT: "0", SYNC_SCHEDULE: "0 0 1 1 *", SYNC_ON_START: "false" });
      worker = await startWorker({ config, logger });
      expect(scheduled()).toHaveLength(1);
      await worker[how]();
      expect(scheduled()).toEqual([]);
    });
  }
});
