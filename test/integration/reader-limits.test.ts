import { afterEach, describe, expect, it } from "vitest";
import { Secret } from "../../src/config/index.js";
import { createNotionGateway, readPages, type NotionGateway } from "../../src/notion/index.js";
import { createEventBus } from "../../src/observability/events.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { SyncError } from "../../src/errors.js";
import { createLogger } from "../../src/observability/logger.js";
import { runSync } from "../../src/pipeline/index.js";
import { fileWatermarkStore } from "../../src/state/index.js";
import { createWarehouse } from "../../src/warehouse/index.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/** The reader against the sandbox with a small per-query result limit (Notion's is 10,000). */
let sandbox: Sandbox | undefined;
let gateway: NotionGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  await sandbox?.close();
  sandbox = undefined;
  gateway = undefined;
});

async function setup(resultLimit: number, now?: () => number) {
  sandbox = await startSandbox({ seed: 3, resultLimit, ...(now ? { now } : {}) });
  gateway = createNotionGateway({
    settings: { token: new Secret(sandbox.token), baseUrl: sandbox.url, rps: 1000, burst: 100, timeoutMs: 10_000, maxRetries: 2 },
    events: createEventBus(),
  });
  return { sandbox, gateway };
}

async function readAll(g: NotionGateway, dataSourceId: string, since?: string) {
  const counter = { count: 0 };
  const pages: { id: string; last_edited_time: string }[] = [];
  for await (const batch of readPages(g, { databaseKey: "budget_lines", dataSourceId, since, pageSize: 10, counter })) pages.push(...batch);
  return { pages, counter };
}

describe("reading past the per-query result limit", () => {
  it("reads every page exactly once when the limit cuts the query many times", async () => {
    const { sandbox, gateway } = await setup(25);
    const ds = sandbox.databases.budget_lines!.dataSourceId;
    const { pages } = await readAll(gateway, ds);
    const ids = pages.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...sandbox.store.pageIds(ds)].sort());
    // Ascending last_edited_time, the order the watermark relies on.
    expect(pages.map((p) => p.last_edited_time)).toEqual([...pages.map((p) => p.last_edited_time)].sort());
    // A single query really does stop at the limit: the reader went past it.
    const plain = await gateway.queryDataSource({ dataSourceId: ds, sorts: [], pageSize: 100 }, "q");
    expect([plain.results.length, plain.has_more, plain.request_status?.type]).toEqual([25, false, "incomplete"]);
    expect(ids.length).toBe(400);
  });

  it("goes past Notion's real 10,000-row limit on a 12,000-page data source", async () => {
    sandbox = await startSandbox({ seed: 5, scale: 12_000 });
    gateway = createNotionGateway({
      settings: { token: new Secret(sandbox.token), baseUrl: sandbox.url, rps: 10_000, burst: 100, timeoutMs: 30_000, maxRetries: 2 },
      events: createEventBus(),
    });
    const ds = sandbox.databases.budget_lines!.dataSourceId;
    const counter = { count: 0 };
    const seen = new Set<string>();
    let total = 0;
    for await (const batch of readPages(gateway, { databaseKey: "budget_lines", dataSourceId: ds, since: undefined, pageSize: 100, counter })) {
      for (const p of batch) seen.add(p.id);
      total += batch.length;
    }
    expect(total).toBe(12_000);
    expect(seen.size).toBe(12_000);
    // 100 pages a request, one request for the boundary the second window re-reads, at most a few more.
    expect(counter.count).toBeLessThanOrEqual(123);
  });

  it("splits one minute that holds more pages than the limit by created_time", async () => {
    let clock = Date.parse("2026-11-01T09:00:00.000Z");
    const { sandbox, gateway } = await setup(25, () => clock);
    const ds = sandbox.databases.budget_lines!.dataSourceId;
    const project = sandbox.store.pageIds(sandbox.databases.projects!.dataSourceId)[0]!;
    const created: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      clock += 60_000; // each created in its own minute
      created.push(
        String(sandbox.store.createPage(ds, { Line: { title: [{ text: { content: `Line ${i}` } }] }, Project: { relation: [{ id: project }] } }).id),
      );
    }
    clock = Date.parse("2026-11-01T12:00:30.000Z");
    for (const id of created) sandbox.store.updatePage(id, { Actual: { number: 10 } });
    const { pages } = await readAll(gateway, ds, "2026-11-01T12:00:00.000Z");
    const ids = pages.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => created.includes(id)).sort()).toEqual([...created].sort());
    expect(pages.every((p) => p.last_edited_time === "2026-11-01T12:00:00.000Z")).toBe(true);
  });

  it("fails loudly when more pages than the limit share both minutes", async () => {
    const clock = Date.parse("2026-11-01T09:00:10.000Z");
    const { sandbox, gateway } = await setup(25, () => clock);
    const ds = sandbox.databases.budget_lines!.dataSourceId;
    for (let i = 0; i < 30; i += 1) sandbox.store.createPage(ds, { Line: { title: [{ text: { content: `Bulk ${i}` } }] } });
    const error = await readAll(gateway, ds, "2026-11-01T09:00:00.000Z").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe("notion_query_limit");
    expect((error as SyncError).message).toMatch(
      /cannot read all pages of "budget_lines": more pages than the query limit were both edited at 2026-11-01T09:00:00.000Z and created in the same minute/,
    );
  });

  it("starts at the watermark inclusively: pages edited in that very minute come back", async () => {
    let clock = Date.parse("2026-11-01T09:00:10.000Z");
    const { sandbox, gateway } = await setup(10_000, () => clock);
    const ds = sandbox.databases.budget_lines!.dataSourceId;
    const [a, b] = sandbox.store.pageIds(ds);
    sandbox.store.updatePage(a!, { Actual: { number: 1 } });
    clock += 40_000;
    sandbox.store.updatePage(b!, { Actual: { number: 2 } });
    const { pages, counter } = await readAll(gateway, ds, "2026-11-01T09:00:00.000Z");
    expect(pages.map((p) => p.id).sort()).toEqual([a, b].sort());
    expect(counter.count).toBe(1);
  });
});

describe("malformed query answers", () => {
  it("fail with a message naming the query when the answer has no results list", async () => {
    const { sandbox, gateway } = await setup(10_000);
    const ds = sandbox.databases.budget_lines!.dataSourceId;
    sandbox.faults.inject({ path: `/v1/data_sources/${ds}/query`, kind: "body", body: '{"object":"list","has_more":false,"next_cursor":null}', times: 1 });
    const error = await readAll(gateway, ds).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe("notion_bad_response");
    // The answer's content (page data) stays out of the message.
    expect((error as SyncError).message).toBe('query "budget_lines": Notion\'s answer has no results list (no results; a proxy, or a changed API?)');
  });

  it("never skip a page object that lacks its url: it is malformed, not partial", async () => {
    const { sandbox, gateway } = await setup(10_000);
    const ds = sandbox.databases.budget_lines!.dataSourceId;
    sandbox.faults.inject({
      path: `/v1/data_sources/${ds}/query`,
      kind: "mutate",
      mutate: (json) => {
        delete (json as { results: Record<string, unknown>[] }).results[2]!.url;
        return json;
      },
      times: 1,
    });
    const error = await readAll(gateway, ds).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as SyncError).message).toMatch(/^page [0-9a-f-]{36} of "budget_lines" is malformed: url: /);
  });
});

describe("malformed answers in a whole sync never lose data silently", () => {
  // The whole engine against the sandbox: a malformed answer fails its database; the silver rows stay.
  const logger = createLogger({ level: "silent", format: "json" });
  let fixture: SyncFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it("fails the database whose relation items come back without a results list, instead of emptying the relation", async () => {
    fixture = await syncFixture({ seed: 3 });
    const config = fixture.config();
    fixture.sandbox.faults.inject({
      path: /^\/v1\/pages\/[^/]+\/properties\/[^/]+$/,
      kind: "body",
      body: '{"object":"list","has_more":false,"next_cursor":null}',
      times: 1_000,
    });
    const result = await runSync({ config, logger });
    const projects = result.summaries.find((s) => s.databaseKey === "projects")!;
    expect([projects.status, projects.errorCode]).toEqual(["failed", "notion_bad_response"]);
    expect(projects.error).toMatch(/Notion's answer has no results list/);
    // Nothing of projects was written, so no relation was emptied; the watermark did not move.
    expect(await fileWatermarkStore(config.watermarkDir).get("projects")).toBeUndefined();
  });

  it("fails the databases that need the users list when it comes back without a results list, naming it", async () => {
    fixture = await syncFixture({ seed: 3 });
    fixture.sandbox.faults.inject({ path: "/v1/users", kind: "body", body: '{"object":"list","has_more":false,"next_cursor":null}', times: 1_000 });
    const result = await runSync({ config: fixture.config(), logger });
    // The users are read for the databases with people columns shown by name or email; only those fail.
    const failed = result.summaries.filter((s) => s.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    for (const summary of failed) expect(summary.error, summary.databaseKey).toMatch(/^list users: Notion's answer has no results list/);
    expect(result.summaries.filter((s) => s.status === "success").length).toBe(result.summaries.length - failed.length);
  });

  it("fails a full pass that meets a partial page object, so the reconcile never marks that live page deleted", async () => {
    fixture = await syncFixture({ seed: 3 });
    const config = fixture.config();
    expect((await runSync({ config, logger })).ok).toBe(true);
    const ds = fixture.sandbox.databases.risks!.dataSourceId;
    const victim = fixture.sandbox.store.pageIds(ds)[0]!;
    fixture.sandbox.faults.inject({
      path: `/v1/data_sources/${ds}/query`,
      kind: "mutate",
      mutate: (json) => {
        const list = json as { results: Record<string, unknown>[] };
        list.results = list.results.map((r) => (r.id === victim ? { object: "page", id: victim } : r));
        return json;
      },
      times: 1_000,
    });
    const full = await runSync({ config, logger }, { full: true, databases: ["risks"] });
    const risks = full.summaries[0]!;
    expect([risks.status, risks.errorCode]).toEqual(["failed", "notion_bad_response"]);
    expect(risks.error).toContain(`page ${victim} of "risks" came back as a partial page object`);
    const warehouse = await createWarehouse(config.warehouse);
    const rows = await warehouse.sql.query(`SELECT _is_deleted FROM ppm_silver.risks WHERE page_id = $id`, { id: victim });
    await warehouse.close();
    expect(rows).toEqual([{ _is_deleted: false }]);
  });
});
