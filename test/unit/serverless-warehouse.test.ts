import { describe, expect, it } from "vitest";
import { replay } from "../../bench/support/day-figures.js";
import { serverlessDialect } from "../../bench/support/serverless-dialect.js";
import { COLD_START_MS, IDLE_STOP_MS, ServerlessWarehouse, SimClock } from "../../bench/support/serverless-warehouse.js";
import { recordingDialect } from "../../bench/support/statement-counts.js";
import { databricksDialect } from "../../src/warehouse/databricks/databricks-dialect.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 4);

describe("the serverless warehouse model", () => {
  it("wakes on the first use, adding the cold start to that use alone", () => {
    const warehouse = new ServerlessWarehouse();
    expect(warehouse.awakeAt(T0)).toBe(false);
    expect(warehouse.use(T0, "session", 500)).toBe(T0 + 500 + COLD_START_MS);
    expect(warehouse.use(T0 + 6_000, "read", 300)).toBe(T0 + 6_300);
    expect(warehouse.uses.map((u) => u.woke)).toEqual([true, false]);
    expect(warehouse.report(T0, T0 + MINUTE)).toMatchObject({ statements: 1, sessions: 1, wakes: 1 });
  });

  it("stops after 10 idle minutes counted from the end of the last use, and wakes again after", () => {
    const warehouse = new ServerlessWarehouse();
    const end = warehouse.use(T0, "write", 2_000);
    expect(warehouse.awakeAt(end + IDLE_STOP_MS)).toBe(true);
    expect(warehouse.awakeAt(end + IDLE_STOP_MS + 1)).toBe(false);
    warehouse.use(end + IDLE_STOP_MS, "read", 300);
    warehouse.use(T0 + 60 * MINUTE, "read", 300);
    expect(warehouse.uses.map((u) => u.woke)).toEqual([true, false, true]);
    expect(warehouse.report(T0, T0 + 2 * 60 * MINUTE).wakes).toBe(2);
  });

  it("counts awake minutes from each wake to its stop, clipped to the window asked for", () => {
    const warehouse = new ServerlessWarehouse({ coldStartMs: 0 });
    warehouse.use(T0, "read", MINUTE);
    warehouse.use(T0 + 30 * MINUTE, "read", MINUTE);
    // Each: 1 minute of work and 10 idle minutes.
    expect(warehouse.awakeIntervals()).toEqual([
      [T0, T0 + 11 * MINUTE],
      [T0 + 30 * MINUTE, T0 + 41 * MINUTE],
    ]);
    expect(warehouse.report(T0, T0 + 60 * MINUTE).awakeMinutes).toBe(22);
    expect(warehouse.report(T0, T0 + 35 * MINUTE).awakeMinutes).toBe(16);
    expect(new ServerlessWarehouse().report(T0, T0 + MINUTE).awakeMinutes).toBe(0);
  });

  it("refuses uses out of time order", () => {
    const warehouse = new ServerlessWarehouse();
    warehouse.use(T0 + MINUTE, "read", 300);
    expect(() => warehouse.use(T0, "read", 300)).toThrow(RangeError);
  });

  it("keeps a warehouse probed every 10 s awake the whole time, and one used every 30 min asleep in between", () => {
    const plan = { from: T0, to: T0 + 60 * MINUTE, runs: [], probeEveryMs: 10_000 };
    const runs = [T0, T0 + 30 * MINUTE].map((at) => ({ at, uses: [{ kind: "write" as const, latencyMs: 2_000 }] }));
    expect(replay(plan, runs, true)).toMatchObject({ wakes: 1, awakeMinutes: 60 });
    const quiet = replay(plan, runs, false);
    expect(quiet.wakes).toBe(2);
    expect(quiet.awakeMinutes).toBeCloseTo(2 * (10 + 7 / 60), 5);
  });
});

describe("the serverless driver wrapper", () => {
  it("makes a session of each driver and a use of each statement, moving the simulated clock by their latency", async () => {
    const warehouse = new ServerlessWarehouse();
    const clock = new SimClock(T0);
    const dialect = recordingDialect(databricksDialect({ catalog: "main", maxRetries: 0, openSession: () => Promise.reject(new Error("none")) }));
    const driver = await serverlessDialect(dialect, warehouse, clock, "run 1").createDriver();
    await driver.query("SELECT 1");
    await driver.execute("MERGE INTO `main`.`s`.`t` t USING x s ON t.a = s.a WHEN MATCHED THEN UPDATE SET *");
    await driver.columnsOf("s", "t");
    expect(warehouse.uses.map((u) => [u.kind, u.tag])).toEqual([
      ["session", "run 1"],
      ["read", "run 1"],
      ["write", "run 1"],
      ["read", "run 1"],
    ]);
    expect(clock.now()).toBe(T0 + COLD_START_MS + 500 + 300 + 2_000 + 300);
  });
});
