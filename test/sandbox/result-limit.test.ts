import { collectAllDataSourceRows, type Client } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor, queryAll } from "./support.js";

describe("per-query result limit (request_status incomplete)", () => {
  let sandbox: Sandbox;
  let notion: Client;
  let lines: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ resultLimit: 25 });
    notion = clientFor(sandbox);
    lines = sandbox.databases.budget_lines!.dataSourceId;
  });
  afterAll(() => sandbox.close());

  it("stops a query at resultLimit rows: the last page says has_more false, next_cursor null, incomplete", async () => {
    const sorts = [{ timestamp: "created_time" as const, direction: "ascending" as const }];
    const p1 = await notion.dataSources.query({ data_source_id: lines, page_size: 10, sorts });
    expect(p1).toMatchObject({ has_more: true });
    expect(p1.request_status?.type ?? "complete").toBe("complete");
    const p2 = await notion.dataSources.query({ data_source_id: lines, page_size: 10, sorts, start_cursor: p1.next_cursor! });
    const p3 = await notion.dataSources.query({ data_source_id: lines, page_size: 10, sorts, start_cursor: p2.next_cursor! });
    expect(p3.results).toHaveLength(5);
    expect(p3).toMatchObject({ has_more: false, next_cursor: null, request_status: { type: "incomplete", incomplete_reason: "query_result_limit_reached" } });
  });

  it("gives a query with a different filter a fresh budget", async () => {
    const sorts = [{ timestamp: "created_time" as const, direction: "ascending" as const }];
    const first = await queryAll(notion, { data_source_id: lines, page_size: 10, sorts });
    expect(first.pages).toHaveLength(25);
    expect(first.incomplete).toBe(true);
    const last = first.pages[first.pages.length - 1]!.created_time;
    const next = await queryAll(notion, {
      data_source_id: lines,
      page_size: 10,
      sorts,
      filter: { timestamp: "created_time", created_time: { on_or_after: last } },
    });
    expect(next.pages).toHaveLength(25);
    expect(next.pages[0]!.created_time).toBe(last);
  });

  it("lets the SDK's windowed helper read every row past the limit", async () => {
    const rows = await collectAllDataSourceRows(notion, { data_source_id: lines, page_size: 25 });
    expect(new Set(rows.map((r) => r.id)).size).toBe(400);
  });

  it("scale 12000: a plain query stops at exactly 10,000 rows with request_status incomplete", async () => {
    const big = await startSandbox({ scale: 12_000 });
    try {
      const client = clientFor(big);
      const ds = big.databases.budget_lines!.dataSourceId;
      expect(big.store.pageIds(ds)).toHaveLength(12_000);
      const plain = await queryAll(client, { data_source_id: ds, page_size: 100 });
      expect(plain.pages).toHaveLength(10_000);
      expect(plain.incomplete).toBe(true);
      expect(new Set(plain.pages.map((p) => p.id)).size).toBe(10_000);
      const all = await collectAllDataSourceRows(client, { data_source_id: ds, page_size: 100 });
      expect(new Set(all.map((r) => r.id)).size).toBe(12_000);
    } finally {
      await big.close();
    }
  }, 30_000);
});
