import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { parseMapping } from "../../src/config/index.js";
import { createEventBus, type DatabaseSummary, type EventBus } from "../../src/observability/events.js";
import type { SqlSession } from "../../src/warehouse/index.js";
import { CONTROL_ROOM_CSP, createControlRoom } from "../../src/worker/control-room/index.js";
import type { RunRecord, WarehouseView } from "../../src/worker/control-room/queries.js";
import { RecentRuns } from "../../src/worker/control-room/recent-runs.js";
import { renderPage } from "../../src/worker/control-room/render.js";
import { CSS, STYLE_HASH } from "../../src/worker/control-room/style.js";
import { buildView } from "../../src/worker/control-room/view.js";
import { startStatusServer, type StatusServer } from "../../src/worker/status-server.js";
import { WorkerStatus } from "../../src/worker/status.js";
import { CachedRead } from "../../src/worker/warehouse-reads.js";
import { createHash } from "node:crypto";
import { Registry } from "prom-client";

/** The Control Room without a browser: escaping, weight, the state it judges, and the cached warehouse read (no timings). */
const KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"];
const settings = parseMapping(
  KEYS.map(
    (k) => `${k}:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n    - { notion_property: Name, column_name: name, column_type: STRING }\n`,
  ).join(""),
  "m.yaml",
  {},
).settings;
const NOW = Date.parse("2026-12-02T12:00:00Z");
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

function summary(key: string, over: Partial<DatabaseSummary> = {}): DatabaseSummary {
  return {
    runId: "run-1",
    databaseKey: key,
    mode: "incremental",
    status: "success",
    startedAt: new Date(NOW - 120_000),
    finishedAt: new Date(NOW - 60_000),
    pagesRead: 12,
    rowsUpserted: 3,
    bronzeVersions: 3,
    rowsQuarantined: 0,
    notionRequests: 4,
    watermark: "2026-12-02T11:55:00.000Z",
    error: null,
    errorCode: null,
    ...over,
  };
}

function record(runId: string, key: string | null, at: number, over: Partial<RunRecord> = {}): RunRecord {
  return {
    runId,
    databaseKey: key,
    mode: "incremental",
    status: "success",
    startedAt: new Date(at - 1_000),
    finishedAt: new Date(at),
    pagesRead: 1,
    rowsUpserted: 1,
    rowsQuarantined: 0,
    notionRequests: 2,
    errorCode: null,
    error: null,
    ...over,
  };
}

/** A week of checks every 30 minutes, 20 problems with long messages, 20 runs of 5 databases: a full page. */
function fullWarehouse(message = "x".repeat(160)): WarehouseView {
  const trend = Array.from({ length: 7 * 48 }, (_, i) => ({ at: new Date(NOW - (7 * 48 - i) * 1_800_000), score: 95 + (i % 10) / 2 }));
  const problems = Array.from({ length: 20 }, (_, i) => ({
    databaseKey: KEYS[i % 5]!,
    pageId: `0c6f1d2e-8a1b-4c3d-9e8f-${String(i).padStart(12, "0")}`,
    columnName: "name",
    rule: "invalid",
    severity: "high",
    message,
  }));
  const runs = Array.from({ length: 20 }, (_, r) => KEYS.map((k) => record(`run-${r}`, k, NOW - r * 1_800_000))).flat();
  return { trend, problems, problemCounts: { high: 33, critical: 1 }, runs };
}

function statusWith(summaries: DatabaseSummary[]): WorkerStatus {
  const status = new WorkerStatus(KEYS, new Date(NOW - 3_600_000));
  for (const s of summaries) status.record(s);
  return status;
}

function page(status: WorkerStatus, warehouse: WarehouseView | undefined, extra: { error?: string } = {}): string {
  const events = createEventBus();
  const runs = new RecentRuns(events, () => NOW);
  return renderPage(
    buildView({
      now: new Date(NOW),
      settings,
      status,
      backoffTicks: () => 0,
      nextRunAt: new Date(NOW + 600_000),
      warehouse: { value: warehouse, readAt: warehouse ? NOW - 60_000 : undefined, error: extra.error, reading: false },
      runs: runs.merge(warehouse?.runs ?? []),
    }),
  );
}

describe("the Control Room page", () => {
  it("escapes every value from Notion and the warehouse: a <script> in a database error, a page's title and a run error renders as text", () => {
    const status = statusWith(
      KEYS.map((k) => summary(k, k === "risks" ? { status: "failed", error: `Notion said ${HOSTILE}`, errorCode: "schema_drift" } : {})),
    );
    status.lastRunError = HOSTILE;
    const warehouse = fullWarehouse(`name is already used by an earlier page: ${HOSTILE}`);
    const runs = [...warehouse.runs, record("run-x", "risks", NOW, { status: "failed", error: HOSTILE })];
    const problems = warehouse.problems!.map((p, i) => (i === 0 ? { ...p, pageId: `"><script>x</script>`, columnName: HOSTILE } : p));
    const html = page(status, { ...warehouse, problems, runs }, { error: HOSTILE });
    expect(html.toLowerCase()).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    // A page id that is not a UUID is shown, not linked.
    expect(html).not.toContain('href="https://www.notion.so/&quot;');
    expect(html.match(/href="https:\/\/www\.notion\.so\/[0-9a-f]{32}"/g)).toHaveLength(19);
  });

  it("weighs under 100 KB with a week of checks, 20 problems and 20 runs of 5 databases, and says why it is failing", () => {
    const status = statusWith(KEYS.map((k) => summary(k, k === "projects" ? { status: "failed", error: "boom", errorCode: "notion_unauthorized" } : {})));
    const html = page(status, fullWarehouse());
    expect(Buffer.byteLength(html)).toBeLessThan(100 * 1024);
    expect(html).toContain('id="state" class="state failing"');
    expect(html).toContain("projects: the last sync failed");
    expect(html).toContain("Fix: Create a new integration token");
    expect(html.match(/<tr data-key=/g)).toHaveLength(5);
    expect(html.match(/<tr data-run-id=/g)).toHaveLength(20);
    expect(html.match(/<circle /g)).toHaveLength(7 * 24);
    expect(html).toContain("34 current problems: 1 critical, 33 high");
  });

  it("is ok when every database synced within the limit, stale when one did not", () => {
    const fresh = page(statusWith(KEYS.map((k) => summary(k))), undefined);
    expect(fresh).toContain('class="state ok"');
    const stale = page(statusWith(KEYS.map((k) => summary(k, k === "risks" ? { finishedAt: new Date(NOW - 45 * 60_000) } : {}))), undefined);
    expect(stale).toContain('class="state stale"');
    expect(stale).toContain("risks: last synced 45 min ago (limit 30)");
  });

  it("says so when the warehouse is unreachable, and still shows what the worker holds in memory", () => {
    const html = page(statusWith(KEYS.map((k) => summary(k))), undefined, { error: "cannot open the DuckDB file" });
    expect(html).toContain("The warehouse did not answer: <span");
    expect(html).toContain("cannot open the DuckDB file");
    expect(html.match(/<tr data-key=/g)).toHaveLength(5);
  });

  it("allows by its CSP exactly the style sheet it carries, and nothing else", () => {
    expect(STYLE_HASH).toBe(`'sha256-${createHash("sha256").update(CSS).digest("base64")}'`);
    expect(page(statusWith([]), undefined)).toContain(`<style>${CSS}</style>`);
    expect(CONTROL_ROOM_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:;/);
    expect(page(statusWith([]), undefined)).not.toMatch(/ style="/);
  });
});

describe("the runs the page lists", () => {
  it("merges the runs seen in events with the warehouse's, the newest 20 first, a run that could not start included", () => {
    const events: EventBus = createEventBus();
    let now = NOW;
    const runs = new RecentRuns(events, () => now);
    events.emit("database:done", summary("programs", { runId: "run-new", finishedAt: new Date(NOW), rowsUpserted: 7 }));
    now = NOW + 5_000;
    events.emit("run:done", { runId: "run-lock", durationMs: 1_000, summaries: [], error: "the run lock is held", errorCode: "lock_held" });
    const stored = Array.from({ length: 25 }, (_, i) => record(`old-${i}`, "programs", NOW - (i + 1) * 60_000));
    stored.push(record("run-new", "programs", NOW, { rowsUpserted: 1 }));
    const merged = runs.merge(stored);
    expect(merged).toHaveLength(20);
    expect(merged.slice(0, 3).map((r) => r.runId)).toEqual(["run-lock", "run-new", "old-0"]);
    expect(merged[1]!.records.map((r) => r.rowsUpserted)).toEqual([7]);
    expect(merged[0]!.records[0]).toMatchObject({ databaseKey: null, status: "failed", errorCode: "lock_held" });
  });
});

describe("the cached warehouse read", () => {
  it("reads at most once per interval, failed attempts included, and again at once after an invalidation", async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const cache = new CachedRead(
      async () => {
        calls += 1;
        if (fail) throw new Error("warehouse down");
        return calls;
      },
      // The worker keeps using the warehouse (it is awake all along).
      { now: () => now, lastUse: () => 0, intervalMs: 1_000, awakeMs: 60_000 },
    );
    expect((await cache.get()).value).toBe(1);
    now = 999;
    expect(await cache.get()).toEqual({ value: 1, readAt: 0, error: undefined, reading: false });
    expect(calls).toBe(1);
    now = 1_000;
    fail = true;
    expect(await cache.get()).toEqual({ value: 1, readAt: 0, error: "warehouse down", reading: false });
    now = 1_500;
    await cache.get();
    expect(calls).toBe(2);
    cache.invalidate();
    fail = false;
    expect((await cache.get()).value).toBe(3);
    expect(calls).toBe(3);
  });

  it("never wakes the warehouse after its first read: it reads again only while the worker's own use keeps it awake", async () => {
    let now = 0;
    let used: number | undefined;
    let calls = 0;
    let fail = false;
    const cache = new CachedRead(
      async () => {
        calls += 1;
        if (fail) throw new Error("warehouse down");
        return calls;
      },
      { now: () => now, lastUse: () => used, intervalMs: 1_000, awakeMs: 100 },
    );
    await cache.get();
    expect(calls).toBe(1);
    // A page left open for a day, reloading every 30 s, while the worker leaves the warehouse alone.
    for (now = 30_000; now <= 86_400_000; now += 30_000) await cache.get();
    cache.invalidate();
    await cache.get();
    expect(calls).toBe(1);
    // The worker used it: awake, and the cache is invalidated and old. One read, then memory.
    used = now;
    now += 50;
    expect((await cache.get()).value).toBe(2);
    now += 10;
    await cache.get();
    expect(calls).toBe(2);
    // The interval has passed, but so has the awake time.
    now += 2_000;
    await cache.get();
    expect(calls).toBe(2);
    used = now;
    fail = true;
    now += 10;
    expect(await cache.get()).toMatchObject({ value: 2, error: "warehouse down" });
    expect(calls).toBe(3);
    now += 10;
    await cache.get();
    expect(calls).toBe(3);
    // The warehouse answered the worker again after the failed read: read at once.
    used = now;
    fail = false;
    now += 10;
    expect(await cache.get()).toMatchObject({ value: 4, error: undefined });
    expect(calls).toBe(4);
  });

  it("answers from memory when a read outlasts its wait, with one read under way however many ask", async () => {
    let release: (n: number) => void = () => undefined;
    let calls = 0;
    const cache = new CachedRead<number>(
      () => {
        calls += 1;
        return new Promise((resolve) => (release = resolve));
      },
      { now: () => 0, lastUse: () => undefined, waitMs: 0 },
    );
    const answers = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(answers.map((a) => [a.value, a.reading])).toEqual(Array.from({ length: 3 }, () => [undefined, true]));
    expect(calls).toBe(1);
    release(42);
    await new Promise((r) => setImmediate(r));
    expect(cache.state()).toEqual({ value: 42, readAt: 0, error: undefined, reading: false });
  });
});

describe("GET / on the status server", () => {
  let server: StatusServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(read: (session: SqlSession) => Promise<unknown>, now: () => number) {
    const events = createEventBus();
    const status = statusWith(KEYS.map((k) => summary(k)));
    let reads = 0;
    const room = createControlRoom({
      settings,
      status,
      events,
      logger: pino({ level: "silent" }),
      now,
      read: async <T>(_what: string, _work: (session: SqlSession) => Promise<T>): Promise<T> => {
        reads += 1;
        return (await read(undefined as unknown as SqlSession)) as T;
      },
      backoffTicks: () => 0,
      nextRunAt: () => null,
    });
    const sources = {
      ready: async () => ({ ok: true }),
      kpis: async () => ({}),
      registry: new Registry(),
      page: () => room.page(),
      pagePolicy: CONTROL_ROOM_CSP,
    };
    server = await startStatusServer(0, sources, (error) => {
      throw error;
    });
    const get = async (method = "GET") => {
      const response = await fetch(`http://127.0.0.1:${server!.port}/`, { method });
      return { status: response.status, headers: response.headers, body: await response.text() };
    };
    return { get, reads: () => reads, events };
  }

  it("reads the warehouse once while the cache is fresh: later loads come from memory", async () => {
    let now = NOW;
    const { get, reads, events } = await serve(
      async () => fullWarehouse(),
      () => now,
    );
    const first = await get();
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(first.headers.get("content-security-policy")).toBe(CONTROL_ROOM_CSP);
    expect(first.body).toContain('<tr data-run-id="run-0"');
    for (let i = 0; i < 5; i += 1) {
      now += 60_000;
      expect((await get()).status).toBe(200);
    }
    expect((await get("HEAD")).body).toBe("");
    expect(reads()).toBe(1);
    // The worker's own check rewrote the gold tables: the next load reads them.
    events.emit("dq:checked", { score: 99, issues: 1, threshold: 95 });
    await get();
    expect(reads()).toBe(2);
    // A quarter of an hour later the warehouse may be asleep: the page does not wake it.
    now += 15 * 60_000;
    await get();
    expect(reads()).toBe(2);
    // The worker wrote a batch (the warehouse is awake): the next load reads what is older than the interval.
    events.emit("batch:loaded", {
      runId: "run-2",
      databaseKey: "programs",
      pages: 1,
      rowsUpserted: 1,
      bronzeVersions: 1,
      quarantined: 0,
      watermark: "2026-12-02T12:00:00Z",
    });
    await get();
    expect(reads()).toBe(3);
    await get();
    expect(reads()).toBe(3);
  });

  it("answers 200 with the reason when the warehouse cannot be read", async () => {
    const { get } = await serve(
      async () => Promise.reject(new Error("warehouse not reachable: connection refused")),
      () => NOW,
    );
    const answer = await get();
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("The warehouse did not answer");
    expect(answer.body).toContain("connection refused");
  });
});
