import type { Client, PageObjectResponse } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor, collectPropertyItems, rawCall } from "./support.js";

type Props = Record<string, Record<string, unknown> & { id: string }>;

describe("truncated page values and the page-property endpoint", () => {
  let sandbox: Sandbox;
  let notion: Client;
  let big: { id: string; properties: Props };
  let linesPropId: string;
  beforeAll(async () => {
    sandbox = await startSandbox();
    notion = clientFor(sandbox);
    const projects = sandbox.store.listPages(sandbox.databases.projects!.dataSourceId) as Array<{ id: string; properties: Props }>;
    big = projects.find((p) => (p.properties["Budget Lines"]!["relation"] as unknown[]).length === 60)!;
    linesPropId = big.properties["Budget Lines"]!.id;
  });
  afterAll(() => sandbox.close());

  it("truncates a 60-item relation to 25 with has_more in GET page and in query results", async () => {
    const page = (await notion.pages.retrieve({ page_id: big.id })) as PageObjectResponse;
    const rel = page.properties["Budget Lines"] as unknown as { relation: Array<{ id: string }>; has_more: boolean };
    expect(rel.relation).toHaveLength(25);
    expect(rel.has_more).toBe(true);
    const queried = await notion.dataSources.query({
      data_source_id: sandbox.databases.projects!.dataSourceId,
      filter: { property: "Name", title: { equals: (page.properties["Name"] as unknown as { title: Array<{ plain_text: string }> }).title[0]!.plain_text } },
    });
    expect((queried.results[0] as PageObjectResponse).properties["Budget Lines"]).toMatchObject({ has_more: true });
  });

  it("pages through all 60 related ids with the property endpoint (next_cursor, next_url, encoded id)", async () => {
    expect(linesPropId).toMatch(/^[A-Za-z0-9%]+$/);
    const first = await notion.pages.properties.retrieve({ page_id: big.id, property_id: linesPropId, page_size: 25 });
    expect(first.object).toBe("list");
    if (first.object !== "list") throw new Error("expected a list");
    expect(first.results).toHaveLength(25);
    expect(first.has_more).toBe(true);
    expect(first.property_item).toMatchObject({ id: linesPropId, type: "relation", relation: {} });
    expect(first.property_item.next_url).toContain(`/v1/pages/${big.id}/properties/${linesPropId}?start_cursor=`);
    const all = await collectPropertyItems(notion, big.id, linesPropId, 25);
    const ids = all.map((item) => (item as { relation: { id: string } }).relation.id);
    expect(ids).toEqual((big.properties["Budget Lines"]!["relation"] as Array<{ id: string }>).map((r) => r.id));
    expect(new Set(ids).size).toBe(60);
  });

  it("computes page-object rollups over the first 25 relations (Notion's bug) and the property item over all", async () => {
    const page = (await notion.pages.retrieve({ page_id: big.id })) as PageObjectResponse;
    const truncated = (page.properties["Actual Total"] as unknown as { rollup: { number: number } }).rollup.number;
    const lines = new Map(
      sandbox.store.listPages(sandbox.databases.budget_lines!.dataSourceId).map((l) => [l.id as string, l as unknown as { properties: Props }]),
    );
    const related = (big.properties["Budget Lines"]!["relation"] as Array<{ id: string }>).map((r) => lines.get(r.id)!);
    const sum = (ls: Array<{ properties: Props }>) => ls.reduce((acc, l) => acc + ((l.properties["Actual"]!["number"] as number | null) ?? 0), 0);
    expect(truncated).toBeCloseTo(sum(related.slice(0, 25)), 6);
    const item = await notion.pages.properties.retrieve({ page_id: big.id, property_id: page.properties["Actual Total"]!.id });
    if (item.object !== "list" || item.property_item.type !== "rollup") throw new Error("expected a rollup list");
    expect(item.property_item.rollup).toMatchObject({ type: "number", function: "sum" });
    expect((item.property_item.rollup as { number: number }).number).toBeCloseTo(sum(related), 6);
    expect(sum(related)).not.toBeCloseTo(truncated, 0);
    expect(big.properties["Actual Total"]!["rollup"]).toMatchObject({ number: (item.property_item.rollup as { number: number }).number });
  });

  it("returns one property_item for simple types and paginated items for title and rich text", async () => {
    const budget = await notion.pages.properties.retrieve({ page_id: big.id, property_id: big.properties["Budget"]!.id });
    expect(budget).toEqual({ object: "property_item", id: big.properties["Budget"]!.id, type: "number", number: big.properties["Budget"]!["number"] });
    const title = await notion.pages.properties.retrieve({ page_id: big.id, property_id: "title" });
    expect(title).toMatchObject({ object: "list", type: "property_item", property_item: { id: "title", type: "title", next_url: null } });
    const risk = (sandbox.store.listPages(sandbox.databases.risks!.dataSourceId) as Array<{ id: string; properties: Props }>).find(
      (r) => (r.properties["Mitigation"]!["rich_text"] as unknown[]).length > 3,
    )!;
    const mitigation = await collectPropertyItems(notion, risk.id, risk.properties["Mitigation"]!.id, 2);
    expect(mitigation.map((m) => (m as { rich_text: unknown }).rich_text)).toEqual(risk.properties["Mitigation"]!["rich_text"]);
  });

  it("accepts the property id percent-encoded or decoded, and by name; unknown ids are 404", async () => {
    const encoded = Object.values(big.properties).find((p) => p.id.includes("%"))!;
    const viaEncoded = await rawCall(sandbox, "GET", `/v1/pages/${big.id}/properties/${encoded.id}`);
    const viaDecoded = await rawCall(sandbox, "GET", `/v1/pages/${big.id}/properties/${encodeURIComponent(decodeURIComponent(encoded.id))}`);
    expect(viaEncoded.status).toBe(200);
    expect(viaDecoded.json()["id"] ?? viaDecoded.json()["property_item"]).toEqual(viaEncoded.json()["id"] ?? viaEncoded.json()["property_item"]);
    const byName = await rawCall(sandbox, "GET", `/v1/pages/${big.id}/properties/Budget`);
    expect(byName.json()).toMatchObject({ type: "number" });
    const missing = await rawCall(sandbox, "GET", `/v1/pages/${big.id}/properties/zzzz`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ code: "object_not_found" });
  });

  it("caps people lists at 25 in page objects but not in the property endpoint", async () => {
    const crowd = Array.from({ length: 30 }, (_, i) => sandbox.store.addUser(`Reviewer ${i + 1}`, `reviewer${i + 1}@northwind-finance.example`));
    const risk = sandbox.store.listPages(sandbox.databases.risks!.dataSourceId)[1] as { id: string; properties: Props };
    sandbox.store.updatePage(risk.id, { Owner: { people: crowd.map((u) => ({ id: u["id"] as string })) } });
    const page = (await notion.pages.retrieve({ page_id: risk.id })) as PageObjectResponse;
    expect((page.properties["Owner"] as unknown as { people: unknown[] }).people).toHaveLength(25);
    const all = await collectPropertyItems(notion, risk.id, risk.properties["Owner"]!.id, 10);
    expect(all.map((item) => (item as { people: { id: string } }).people.id)).toEqual(crowd.map((u) => u["id"]));
  });
});
