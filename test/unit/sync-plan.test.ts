import { describe, expect, it } from "vitest";
import type { Watermark } from "../../src/state/index.js";
import { minuteOf, planSync, type PlanInput } from "../../src/pipeline/sync-plan.js";
import { WatermarkBook } from "../../src/pipeline/watermark-book.js";

/** The sync plan and the watermark's bookkeeping, as pure functions of state, settings and time. */
const NOW = new Date("2026-12-02T10:07:42.123Z");
const previous = (over: Partial<Watermark> = {}): Watermark => ({
  databaseKey: "projects",
  lastEditedTime: "2026-12-02T09:00:00.000Z",
  runId: "r0",
  dataSourceId: "ds1",
  mappingHash: "h1",
  propertyIds: { Name: "title" },
  lastFullAt: "2026-12-02T00:00:00.000Z",
  updatedAt: "2026-12-02T09:01:00.000Z",
  ...over,
});
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  full: false,
  previous: previous(),
  mappingHash: "h1",
  mappedPropertyIds: ["title"],
  dataSourceId: "ds1",
  lookbackMs: 5 * 60_000,
  reconcileEveryMs: 86_400_000,
  now: NOW,
  ...over,
});

describe("planSync", () => {
  it.each([
    ["--full", input({ full: true }), "full", "--full"],
    ["no watermark", input({ previous: undefined }), "full", "no watermark"],
    [
      "a changed mapping, with no record of what bronze holds",
      input({ mappingHash: "h2" }),
      "full",
      "the mapping of this database changed, and bronze does not hold a record of its properties (the last full read predates it)",
    ],
    [
      "a changed mapping that reads a property bronze lacks",
      input({ mappingHash: "h2", mappedPropertyIds: ["title", "new%3A"], previous: previous({ bronzeProperties: { Name: "title", Other: "o" } }) }),
      "full",
      "the mapping of this database changed, and bronze does not hold property new%3A (not in the data source at the last full read)",
    ],
    ["a changed data source", input({ dataSourceId: "ds2" }), "full", "the data source changed"],
    ["the reconcile due", input({ previous: previous({ lastFullAt: "2026-12-01T10:07:42.123Z" }) }), "full", "periodic reconcile (settings.reconcile_every)"],
    ["a watermark without a full read", input({ previous: previous({ lastFullAt: undefined }) }), "full", "periodic reconcile (settings.reconcile_every)"],
    // The databases of one run start seconds apart: a tick that comes a little early reconciles them all together.
    [
      "the reconcile due within the slack",
      input({ previous: previous({ lastFullAt: "2026-12-01T10:09:00.000Z" }) }),
      "full",
      "periodic reconcile (settings.reconcile_every)",
    ],
    [
      "the reconcile not due beyond the slack",
      input({ previous: previous({ lastFullAt: "2026-12-01T10:13:00.000Z" }) }),
      "incremental",
      "changes since the watermark",
    ],
    ["nothing but changes", input(), "incremental", "changes since the watermark"],
    [
      "a changed mapping that newly reads a rollup (its bronze value was not kept fresh)",
      input({
        mappingHash: "h2",
        mappedPropertyIds: ["title", "o"],
        newlyMappedComputed: ['"Other"'],
        previous: previous({ bronzeProperties: { Name: "title", Other: "o" } }),
      }),
      "full",
      'the mapping of this database changed, and bronze\'s values of newly mapped rollups and formulas ("Other") may be stale',
    ],
    [
      "a changed mapping that reads only what bronze holds (rebuilt from bronze first)",
      input({ mappingHash: "h2", mappedPropertyIds: ["title", "o"], previous: previous({ bronzeProperties: { Name: "title", Other: "o" } }) }),
      "incremental",
      "changes since the watermark",
    ],
    [
      "a reconcile that is never due",
      input({ reconcileEveryMs: 0, previous: previous({ lastFullAt: undefined }) }),
      "incremental",
      "changes since the watermark",
    ],
  ])("with %s: %s (%s)", (_name, given, mode, reason) => {
    const plan = planSync(given);
    expect([plan.mode, plan.reason, plan.reconcile]).toEqual([mode, reason, mode === "full"]);
    const rebuilds = mode === "incremental" && given.previous?.mappingHash !== given.mappingHash;
    expect(plan.rebuild).toBe(rebuilds ? "the mapping of this database changed: silver rebuilt from bronze" : undefined);
  });

  it("reads an incremental sync from the watermark minus the lookback, a full one from the start", () => {
    expect(planSync(input()).since).toBe("2026-12-02T08:55:00.000Z");
    expect(planSync(input({ lookbackMs: 0 })).since).toBe("2026-12-02T09:00:00.000Z");
    expect(planSync(input({ full: true })).since).toBeUndefined();
  });

  it("starts the trash pass at the live read's bound, where an unfinished one left off, or from the beginning", () => {
    expect(planSync(input()).trashFrom).toBe("2026-12-02T08:55:00.000Z");
    expect(planSync(input({ previous: previous({ trashFrom: "2026-11-30T00:00:00.000Z" }) })).trashFrom).toBe("2026-11-30T00:00:00.000Z");
    expect(planSync(input({ previous: previous({ trashFrom: null }) })).trashFrom).toBeNull();
    expect(planSync(input({ full: true, previous: previous({ trashFrom: "2026-11-30T00:00:00.000Z" }) })).trashFrom).toBeNull();
  });

  it("caps the watermark at the minute the sync starts", () => {
    expect(planSync(input()).watermarkCap).toBe("2026-12-02T10:07:00.000Z");
    expect(minuteOf(new Date("2026-12-02T10:07:00.000Z"))).toBe("2026-12-02T10:07:00.000Z");
  });
});

describe("WatermarkBook", () => {
  it("records what bronze holds when a full read completes, carries it otherwise, and names the new mapping after a rebuild", () => {
    const full = new WatermarkBook(identity, planSync(input({ full: true })), previous());
    expect(full.afterBatch("2026-12-02T09:30:00.000Z")?.bronzeProperties).toBeUndefined();
    expect(full.afterReconcile(NOW)?.bronzeProperties).toEqual({ Name: "title", Other: "o" });
    const held = previous({ bronzeProperties: { Name: "title" }, mappingHash: "h0" });
    const rebuilt = new WatermarkBook(identity, planSync(input({ previous: held })), held);
    expect(rebuilt.afterRebuild()).toMatchObject({ mappingHash: "h1", bronzeProperties: { Name: "title" }, lastEditedTime: held.lastEditedTime });
    expect(rebuilt.afterRebuild()).toBeUndefined();
  });

  const identity = {
    databaseKey: "projects",
    runId: "r1",
    dataSourceId: "ds1",
    mappingHash: "h1",
    propertyIds: { Name: "title" },
    sourceProperties: { Name: "title", Other: "o" },
    lookbackMs: 5 * 60_000,
  };

  it("moves forward batch by batch, never past the cap, never back in an incremental run, and says nothing when nothing changed", () => {
    const book = new WatermarkBook(identity, planSync(input()), previous());
    expect(book.afterBatch("2026-12-02T09:30:00.000Z")).toMatchObject({ lastEditedTime: "2026-12-02T09:30:00.000Z", runId: "r1" });
    expect(book.afterBatch("2026-12-02T09:30:00.000Z")).toBeUndefined();
    expect(book.afterBatch("2026-12-02T09:10:00.000Z")).toBeUndefined();
    expect(book.afterBatch("2026-12-02T10:09:00.000Z")?.lastEditedTime).toBe("2026-12-02T10:07:00.000Z");
    expect(book.time).toBe("2026-12-02T10:07:00.000Z");
    expect(book.afterBatch("")).toBeUndefined();
  });

  it("stays at or below a page held back for its times", () => {
    const book = new WatermarkBook(identity, planSync(input()), previous());
    book.holdBack("2026-12-02T09:20:00.000Z");
    expect(book.afterBatch("2026-12-02T09:50:00.000Z")?.lastEditedTime).toBe("2026-12-02T09:20:00.000Z");
    book.holdBack("2099-01-01T00:00:00.000Z");
    expect(book.time).toBe("2026-12-02T09:20:00.000Z");
  });

  it("notes where an unfinished trash pass resumes, forgets it once the trash was read to the end", () => {
    const plan = planSync(input({ previous: previous({ trashFrom: "2026-11-30T00:00:00.000Z" }) }));
    const book = new WatermarkBook(identity, plan, previous({ trashFrom: "2026-11-30T00:00:00.000Z" }));
    expect(book.afterBatch("2026-12-02T09:30:00.000Z")?.trashFrom).toBe("2026-11-30T00:00:00.000Z");
    const done = (book.trashRead(), book.settled());
    expect(done?.lastEditedTime).toBe("2026-12-02T09:30:00.000Z");
    expect(done && "trashFrom" in done).toBe(false);
    expect((book.trashRead(), book.settled())).toBeUndefined();
  });

  it("with the trash read first, the next batch's record says the trash is done and nothing is left to settle", () => {
    const held = previous({ trashFrom: "2026-11-30T00:00:00.000Z" });
    const book = new WatermarkBook(identity, planSync(input({ previous: held })), held);
    book.trashRead();
    const record = book.afterBatch("2026-12-02T09:30:00.000Z");
    expect(record?.lastEditedTime).toBe("2026-12-02T09:30:00.000Z");
    expect(record && "trashFrom" in record).toBe(false);
    expect(book.settled()).toBeUndefined();
    // The trash read and no batch after it: the one record to store says the trash is done.
    const quiet = new WatermarkBook(identity, planSync(input({ previous: held })), held);
    quiet.trashRead();
    expect(quiet.settled()?.trashFrom).toBeUndefined();
  });

  it("after a full pass: records the full read, from the beginning of the trash, and gives an empty database a watermark", () => {
    const plan = planSync(input({ previous: undefined }));
    const book = new WatermarkBook(identity, plan, undefined);
    const record = book.afterReconcile(NOW);
    expect(record).toMatchObject({ lastEditedTime: "1970-01-01T00:00:00.000Z", lastFullAt: NOW.toISOString(), trashFrom: null });
    expect((book.trashRead(), book.settled())?.trashFrom).toBeUndefined();
  });

  it("lets a full run move the watermark back (the data was read again)", () => {
    const book = new WatermarkBook(identity, planSync(input({ full: true })), previous());
    expect(book.afterBatch("2026-12-01T00:00:00.000Z")?.lastEditedTime).toBe("2026-12-01T00:00:00.000Z");
  });
});
