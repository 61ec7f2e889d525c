import { APIResponseError, type Client } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor, plain, queryAll, rawCall, testClock } from "./support.js";

type Page = { id: string; created_time: string; last_edited_time: string; properties: Record<string, Record<string, unknown>> };

describe("data source query: pagination, filters, sorts, validation", () => {
  let sandbox: Sandbox;
  let notion: Client;
  const clock = testClock();
  let lines: string;
  let oracle: Page[];
  const ids = (pages: Array<{ id: string }>) => pages.map((p) => p.id).sort();
  beforeAll(async () => {
    sandbox = await startSandbox({ now: clock.now });
    notion = clientFor(sandbox);
    lines = sandbox.databases.budget_lines!.dataSourceId;
    oracle = sandbox.store.listPages(lines) as Page[];
  });
  afterAll(() => sandbox.close());

  it("pages through every row exactly once, in created_time order", async () => {
    const { pages, requests, incomplete } = await queryAll(notion, {
      data_source_id: lines,
      page_size: 100,
      sorts: [{ timestamp: "created_time", direction: "ascending" }],
    });
    expect(requests).toBe(4);
    expect(incomplete).toBe(false);
    expect(ids(pages)).toEqual(ids(oracle));
    const times = pages.map((p) => p.created_time);
    expect([...times].sort()).toEqual(times);
  });

  it("treats a missing body as {} and gives a stable order without sorts", async () => {
    const a = await notion.dataSources.query({ data_source_id: lines });
    const b = await notion.dataSources.query({ data_source_id: lines });
    expect(a.results).toHaveLength(100);
    expect(a.results.map((r) => r.id)).toEqual(b.results.map((r) => r.id));
  });

  const cases: Array<[string, Record<string, unknown>, (p: Page) => boolean]> = [
    ["number greater_than", { property: "Planned", number: { greater_than: 50_000 } }, (p) => (p.properties["Planned"]!["number"] as number) > 50_000],
    [
      "select equals",
      { property: "Category", select: { equals: "Labour" } },
      (p) => (p.properties["Category"]!["select"] as { name: string } | null)?.name === "Labour",
    ],
    ["checkbox", { property: "Approved", checkbox: { equals: false } }, (p) => p.properties["Approved"]!["checkbox"] === false],
    ["rich_text starts_with", { property: "Cost Center", rich_text: { starts_with: "CC-1" } }, (p) => plain(p, "Cost Center").startsWith("CC-1")],
    ["title contains (case-insensitive)", { property: "Line", title: { contains: "licences" } }, (p) => plain(p, "Line").toLowerCase().includes("licences")],
    ["number is_empty", { property: "Actual", number: { is_empty: true } }, (p) => p.properties["Actual"]!["number"] === null],
    [
      "date on_or_after",
      { property: "Period", date: { on_or_after: "2026-03-01" } },
      (p) => (p.properties["Period"]!["date"] as { start: string }).start >= "2026-03-01",
    ],
    [
      "unique_id",
      { property: "Line No", unique_id: { less_than_or_equal_to: 10 } },
      (p) => (p.properties["Line No"]!["unique_id"] as { number: number }).number <= 10,
    ],
    [
      "formula number",
      { property: "Variance", formula: { number: { less_than: 0 } } },
      (p) => ((p.properties["Variance"]!["formula"] as { number: number | null }).number ?? 0) < 0,
    ],
    [
      "timestamp on_or_after",
      { timestamp: "last_edited_time", last_edited_time: { on_or_after: "2026-06-01T00:00:00.000Z" } },
      (p) => p.last_edited_time >= "2026-06-01T00:00:00.000Z",
    ],
    ["timestamp before (date only)", { timestamp: "created_time", created_time: { before: "2026-01-01" } }, (p) => p.created_time < "2026-01-01"],
    [
      "two-level compound",
      {
        or: [
          {
            and: [
              { property: "Category", select: { equals: "Travel" } },
              { property: "Approved", checkbox: { equals: true } },
            ],
          },
          { property: "Planned", number: { greater_than_or_equal_to: 100_000 } },
        ],
      },
      (p) =>
        ((p.properties["Category"]!["select"] as { name: string }).name === "Travel" && p.properties["Approved"]!["checkbox"] === true) ||
        (p.properties["Planned"]!["number"] as number) >= 100_000,
    ],
  ];

  it.each(cases)("filter: %s matches the oracle", async (_name, filter, predicate) => {
    const { pages } = await queryAll(notion, { data_source_id: lines, filter: filter as never });
    const expected = oracle.filter(predicate);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(pages)).toEqual(ids(expected));
  });

  it("filters relations and people by id (dashes optional)", async () => {
    const projects = sandbox.store.listPages(sandbox.databases.projects!.dataSourceId) as Page[];
    const big = projects.find((p) => (p.properties["Budget Lines"]!["relation"] as unknown[]).length === 60)!;
    const { pages } = await queryAll(notion, { data_source_id: lines, filter: { property: "Project", relation: { contains: big.id.replace(/-/g, "") } } });
    expect(pages).toHaveLength(60);
    const pm = (projects[0]!.properties["Project Manager"]!["people"] as Array<{ id: string }>)[0]!.id;
    const managed = await queryAll(notion, {
      data_source_id: sandbox.databases.projects!.dataSourceId,
      filter: { property: "Project Manager", people: { contains: pm } },
    });
    expect(ids(managed.pages)).toEqual(
      ids(projects.filter((p) => (p.properties["Project Manager"]!["people"] as Array<{ id: string }>).some((u) => u.id === pm))),
    );
  });

  it("sorts by several keys (property by name or id, then timestamp), empties last", async () => {
    const schema = sandbox.store.dataSource(lines) as { properties: Record<string, { id: string }> };
    const { pages } = await queryAll(notion, {
      data_source_id: lines,
      sorts: [
        { property: schema.properties["Fiscal Year"]!.id, direction: "descending" },
        { property: "Actual", direction: "ascending" },
        { timestamp: "created_time", direction: "ascending" },
      ],
    });
    expect(pages).toHaveLength(400);
    const key = (p: Page) => [p.properties["Fiscal Year"]!["number"] as number, p.properties["Actual"]!["number"] as number | null];
    for (let i = 1; i < pages.length; i++) {
      const [y0, a0] = key(pages[i - 1] as Page);
      const [y1, a1] = key(pages[i] as Page);
      expect(y0! >= y1!).toBe(true);
      if (y0 === y1 && a0 !== null && a0 !== undefined) expect(a1 === null || a1 === undefined || a0 <= a1).toBe(true);
      if (y0 === y1 && a0 === null) expect(a1).toBeNull();
    }
  });

  it("trims properties with filter_properties (ids or names; repeated with or without [])", async () => {
    const schema = sandbox.store.dataSource(lines) as { properties: Record<string, { id: string }> };
    const plannedId = schema.properties["Planned"]!.id;
    const viaSdk = await notion.dataSources.query({ data_source_id: lines, page_size: 1, filter_properties: ["title", plannedId] });
    expect(Object.keys((viaSdk.results[0] as Page).properties).sort()).toEqual(["Line", "Planned"]);
    const raw = await rawCall(
      sandbox,
      "POST",
      `/v1/data_sources/${lines}/query?filter_properties[]=Category&filter_properties[]=${encodeURIComponent(plannedId)}`,
      { body: '{"page_size":1}' },
    );
    expect(Object.keys((raw.json()["results"] as Page[])[0]!.properties).sort()).toEqual(["Category", "Planned"]);
  });

  it("returns only trashed rows with in_trash: true", async () => {
    const res = await notion.dataSources.query({ data_source_id: sandbox.databases.projects!.dataSourceId, in_trash: true });
    expect(res.results).toHaveLength(1);
    expect(res.results[0]).toMatchObject({ in_trash: true, archived: true });
  });

  it.each([
    ["page_size 0", { page_size: 0 }, /page_size/],
    ["page_size 101", { page_size: 101 }, /page_size should be ≤ `100`/],
    ["an unknown body key", { sort: [] }, /body\.sort should be not present/],
    ["an unknown property", { filter: { property: "Nope", number: { equals: 1 } } }, /^Could not find property with name or id: Nope$/],
    ["a condition of the wrong type", { filter: { property: "Planned", checkbox: { equals: true } } }, /cannot be used with property "Planned"/],
    ["three levels of nesting", { filter: { and: [{ or: [{ and: [{ property: "Approved", checkbox: { equals: true } }] }] }] } }, /nested too deeply/],
    ["an invalid cursor", { start_cursor: "not-a-cursor" }, /^The start_cursor provided is invalid: not-a-cursor$/],
  ])("rejects %s with 400 validation_error", async (_name, body, message) => {
    const res = await rawCall(sandbox, "POST", `/v1/data_sources/${lines}/query`, { body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ object: "error", status: 400, code: "validation_error" });
    expect(res.json()["message"]).toMatch(message);
  });

  it("binds cursors to their query", async () => {
    const first = await notion.dataSources.query({ data_source_id: lines, page_size: 5, sorts: [{ property: "Planned", direction: "ascending" }] });
    const error = await notion.dataSources.query({ data_source_id: lines, page_size: 5, start_cursor: first.next_cursor! }).catch((e: unknown) => e);
    expect(APIResponseError.isAPIResponseError(error) && error.code).toBe("validation_error");
    expect((error as Error).message).toContain("The start_cursor provided is invalid");
  });

  it("paginates over live data: a row edited between pages moves instead of being lost", async () => {
    const projects = sandbox.databases.projects!.dataSourceId;
    const args = { data_source_id: projects, page_size: 10, sorts: [{ timestamp: "last_edited_time" as const, direction: "ascending" as const }] };
    const first = await notion.dataSources.query(args);
    const seenEarly = first.results[0]!.id;
    const rest = await notion.dataSources.query({ ...args, start_cursor: first.next_cursor! });
    const unseen = rest.results[5]!.id;
    clock.set("2026-09-01T08:00:00.000Z");
    sandbox.store.updatePage(seenEarly, { Spent: { number: 1 } });
    sandbox.store.updatePage(unseen, { Spent: { number: 2 } });
    const { pages } = await queryAll(notion, { ...args, start_cursor: rest.next_cursor! });
    const all = [...first.results, ...rest.results, ...pages].map((p) => p.id);
    expect(new Set(all).size).toBe(40);
    expect(all.filter((id) => id === seenEarly)).toHaveLength(2);
    expect(all.slice(-2).sort()).toEqual([seenEarly, unseen].sort());
  });

  it("serves the legacy POST /v1/databases/{id}/query on the single data source", async () => {
    const res = await rawCall(sandbox, "POST", `/v1/databases/${sandbox.databases.risks!.databaseId}/query`, { body: '{"page_size":7}' });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ object: "list", type: "page_or_database", has_more: true });
    expect(res.json()["results"]).toHaveLength(7);
  });
});
