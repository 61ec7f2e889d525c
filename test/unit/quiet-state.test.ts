import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { AppConfig } from "../../src/config/index.js";
import { PausedRead } from "../../src/pipeline/quiet-look.js";
import { isKnown, RECENT_LIMIT, recentVersion, updateRecent } from "../../src/pipeline/recent-pages.js";
import { planSync } from "../../src/pipeline/sync-plan.js";
import { WarehouseTrust } from "../../src/pipeline/warehouse-trust.js";
import { WatermarkBook } from "../../src/pipeline/watermark-book.js";
import type { NotionPage } from "../../src/transform/index.js";

/** The local state a quiet run decides from: the recent window, the paused read, the trust in the last warehouse check. */
const page = (id: string, lastEditedTime: string, extra: Record<string, unknown> = {}) =>
  ({ id, object: "page", last_edited_time: lastEditedTime, created_time: "2026-01-01T00:00:00.000Z", properties: {}, ...extra }) as unknown as NotionPage;
const LOOKBACK = 10 * 60_000;

describe("the recent window", () => {
  const at = "2026-12-02T10:00:00.000Z";

  it("knows a version Notion answered after its minute and the lookback had passed by its time alone", () => {
    const version = recentVersion(page("a", at), new Date("2026-12-02T10:11:00.000Z"), LOOKBACK);
    expect(version).toEqual({ lastEditedTime: at });
    const recent = { a: version };
    expect(isKnown(recent, page("a", at, { properties: { changed: 1 } }), true)).toBe(true);
    expect(isKnown(recent, page("a", "2026-12-02T10:01:00.000Z"), true)).toBe(false);
    expect(isKnown(recent, page("b", at), true)).toBe(false);
  });

  it("knows a version answered within that time only by the same answer, and never one with something truncated, nor a trashed one for a live one", () => {
    const read = page("a", at, { properties: { Spent: { number: 1 } } });
    const recent = { a: recentVersion(read, new Date("2026-12-02T10:00:30.000Z"), LOOKBACK) };
    expect(recent.a.answerHash).toEqual(expect.any(String));
    expect(isKnown(recent, page("a", at, { properties: { Spent: { number: 1 } } }), true)).toBe(true);
    expect(isKnown(recent, page("a", at, { properties: { Spent: { number: 2 } } }), true)).toBe(false);
    expect(isKnown(recent, page("a", at, { properties: { Spent: { number: 1 } } }), false)).toBe(false);
    // Without Notion's clock (no Date on its answers) nothing settles by time.
    expect(recentVersion(read, undefined, LOOKBACK).answerHash).toEqual(expect.any(String));
    const trashed = { a: recentVersion(page("a", at, { in_trash: true }), new Date("2026-12-02T11:00:00.000Z"), LOOKBACK) };
    expect(isKnown(trashed, page("a", at, { in_trash: true }), true)).toBe(true);
    expect(isKnown(trashed, page("a", at), true)).toBe(false);
  });

  it("keeps only versions at or after the window's start, the newest when there are too many", () => {
    const window = updateRecent(
      { old: { lastEditedTime: "2026-12-02T09:00:00.000Z" }, a: { lastEditedTime: "2026-12-02T09:58:00.000Z" } },
      [["a", { lastEditedTime: at }]],
      "2026-12-02T09:55:00.000Z",
    );
    expect(window).toEqual({ a: { lastEditedTime: at } });
    const many = Array.from({ length: RECENT_LIMIT + 10 }, (_, i) => [`p${i}`, { lastEditedTime: new Date(Date.parse(at) + i * 1000).toISOString() }] as const);
    const kept = updateRecent(undefined, many, at);
    expect(Object.keys(kept)).toHaveLength(RECENT_LIMIT);
    expect(kept.p0).toBeUndefined();
    expect(kept[`p${RECENT_LIMIT + 9}`]).toBeDefined();
  });

  it("travels in the watermark record: committed versions make a new record, the same ones do not", () => {
    const identity = {
      databaseKey: "projects",
      runId: "r1",
      dataSourceId: "ds1",
      mappingHash: "h1",
      propertyIds: {},
      sourceProperties: {},
      lookbackMs: 5 * 60_000,
    };
    const previous = {
      databaseKey: "projects",
      lastEditedTime: at,
      runId: "r0",
      dataSourceId: "ds1",
      mappingHash: "h1",
      propertyIds: {},
      lastFullAt: at,
      updatedAt: at,
    };
    const plan = planSync({
      full: false,
      previous,
      mappingHash: "h1",
      mappedPropertyIds: [],
      dataSourceId: "ds1",
      lookbackMs: 5 * 60_000,
      reconcileEveryMs: 0,
      now: new Date("2026-12-02T10:30:00.000Z"),
    });
    const book = new WatermarkBook(identity, plan, previous);
    expect((book.trashRead(), book.settled())).toBeUndefined();
    book.committed([["t", { lastEditedTime: at }]]);
    expect((book.trashRead(), book.settled())?.recent).toEqual({ t: { lastEditedTime: at } });
    book.committed([["t", { lastEditedTime: at }]]);
    expect((book.trashRead(), book.settled())).toBeUndefined();
    book.committed([["n", { lastEditedTime: "2026-12-02T10:20:00.000Z" }]]);
    // The watermark moved past the window of the first: only the new version stays.
    expect(book.afterBatch("2026-12-02T10:20:00.000Z")?.recent).toEqual({ n: { lastEditedTime: "2026-12-02T10:20:00.000Z" } });
  });
});

describe("a paused read", () => {
  async function* answers(log: string[]) {
    try {
      for (const batch of [["a"], ["b", "c"], ["d"]]) {
        log.push(`read ${batch.join("")}`);
        yield batch.map((id) => page(id, "2026-12-02T10:00:00.000Z"));
      }
    } finally {
      log.push("closed");
    }
  }

  it("stops at the first answer holding a wanted page, then hands that answer and the rest over", async () => {
    const log: string[] = [];
    const read = new PausedRead(answers(log));
    expect(await read.untilFirst((p) => p.id === "c")).toBe(1);
    expect(read.paused).toBe(true);
    expect(log).toEqual(["read a", "read bc"]);
    const rest: string[] = [];
    for await (const answer of read.rest()) rest.push(answer.map((p) => p.id).join(""));
    expect(rest).toEqual(["bc", "d"]);
    expect(log.at(-1)).toBe("closed");
  });

  it("reads to the end when nothing is wanted, and closes what it paused when told to", async () => {
    const log: string[] = [];
    expect(await new PausedRead(answers(log)).untilFirst(() => false)).toBe(4);
    expect(log.at(-1)).toBe("closed");
    const paused: string[] = [];
    const read = new PausedRead(answers(paused));
    await read.untilFirst(() => true);
    await read.close();
    expect(paused).toEqual(["read a", "closed"]);
  });
});

describe("the trust in the last warehouse check", () => {
  const logger = pino({ level: "silent" });
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const configOf = (warehouse: Record<string, unknown>) => {
    const dir = mkdtempSync(join(tmpdir(), "nds-trust-"));
    dirs.push(dir);
    return { watermarkDir: dir, warehouse, mapping: { settings: { schemas: SCHEMAS } } } as unknown as AppConfig;
  };
  const SCHEMAS = { bronze: "ppm_bronze", silver: "ppm_silver", meta: "ppm_meta", gold: "ppm_gold" };
  const databricks = { kind: "databricks", host: "adb-1.azuredatabricks.net", httpPath: "/sql/1.0/warehouses/a", catalog: "main" };

  it("trusts a remote warehouse's check for a day, for the databases checked, at the same place", async () => {
    let now = Date.parse("2026-12-02T10:00:00.000Z");
    const config = configOf(databricks);
    const first = await WarehouseTrust.load(config, () => new Date(now), logger);
    expect(first.allows("projects")).toBe(false);
    first.checked("projects");
    await first.save(logger);
    now += 23 * 3_600_000;
    const later = await WarehouseTrust.load(config, () => new Date(now), logger);
    expect([later.allows("projects"), later.allows("risks")]).toEqual([true, false]);
    now += 2 * 3_600_000;
    expect((await WarehouseTrust.load(config, () => new Date(now), logger)).allows("projects")).toBe(false);
    const moved = { ...config, warehouse: { ...databricks, catalog: "other" } } as AppConfig;
    expect((await WarehouseTrust.load(moved, () => new Date(now - 2 * 3_600_000), logger)).allows("projects")).toBe(false);
    const otherSchema = { ...config, mapping: { settings: { schemas: { ...SCHEMAS, silver: "silver2" } } } } as unknown as AppConfig;
    expect((await WarehouseTrust.load(otherSchema, () => new Date(now - 2 * 3_600_000), logger)).allows("projects")).toBe(false);
  });

  it("trusts a DuckDB file's check only while the file is what that run left", async () => {
    const config = configOf({ kind: "duckdb", path: "" });
    const path = join(config.watermarkDir, "w.duckdb");
    const duck = { ...config, warehouse: { kind: "duckdb", path } } as unknown as AppConfig;
    writeFileSync(path, "one");
    const now = () => new Date();
    const trust = await WarehouseTrust.load(duck, now, logger);
    trust.checked("projects");
    await trust.save(logger);
    expect((await WarehouseTrust.load(duck, now, logger)).allows("projects")).toBe(true);
    writeFileSync(path, "changed by someone else");
    expect((await WarehouseTrust.load(duck, now, logger)).allows("projects")).toBe(false);
    rmSync(path);
    expect((await WarehouseTrust.load(duck, now, logger)).allows("projects")).toBe(false);
  });

  it("drops what a failed sync or a change before the open leaves unknown", async () => {
    const config = configOf({ kind: "duckdb", path: "" });
    const path = join(config.watermarkDir, "w.duckdb");
    const duck = { ...config, warehouse: { kind: "duckdb", path } } as unknown as AppConfig;
    writeFileSync(path, "one");
    const now = () => new Date();
    const first = await WarehouseTrust.load(duck, now, logger);
    first.checked("projects");
    first.checked("risks");
    await first.save(logger);
    const second = await WarehouseTrust.load(duck, now, logger);
    second.forget("risks");
    await second.save(logger);
    const third = await WarehouseTrust.load(duck, now, logger);
    expect([third.allows("projects"), third.allows("risks")]).toEqual([true, false]);
    writeFileSync(path, "changed while the run was looking");
    await third.beforeOpen();
    expect(third.allows("projects")).toBe(false);
  });
});
