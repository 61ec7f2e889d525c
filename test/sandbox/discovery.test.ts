import { collectPaginatedAPI, isFullDataSource, type Client, type DataSourceObjectResponse } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor } from "./support.js";

describe("discovery: users, search, databases and data sources", () => {
  let sandbox: Sandbox;
  let notion: Client;
  beforeAll(async () => {
    sandbox = await startSandbox();
    notion = clientFor(sandbox);
  });
  afterAll(() => sandbox.close());

  it("users.me is the integration bot; users.list pages through ~12 people and the bot", async () => {
    const me = await notion.users.me({});
    expect(me).toMatchObject({ object: "user", type: "bot" });
    const first = await notion.users.list({ page_size: 5 });
    expect(first.results).toHaveLength(5);
    expect(first.has_more).toBe(true);
    const all = await collectPaginatedAPI(notion.users.list, { page_size: 5 });
    const people = all.filter((u) => u.type === "person");
    expect(people.length).toBeGreaterThanOrEqual(10);
    for (const p of people) expect(p.type === "person" && p.person.email).toMatch(/@/);
    expect(all.some((u) => u.id === me.id)).toBe(true);
    const one = await notion.users.retrieve({ user_id: people[0]!.id.replace(/-/g, "") });
    expect(one.id).toBe(people[0]!.id);
  });

  it("search filters by object, matches titles and paginates", async () => {
    const sources = await notion.search({ filter: { property: "object", value: "data_source" } });
    expect(sources.results.map((r) => r.object)).toEqual(Array(5).fill("data_source"));
    const titles = sources.results.filter(isFullDataSource).map((d) => d.title.map((t) => t.plain_text).join(""));
    expect(titles.sort()).toEqual(["Budget Lines", "Milestones", "Programs", "Projects", "Risks"]);
    const pages = await notion.search({ query: "go-live", filter: { property: "object", value: "page" }, page_size: 3 });
    expect(pages.results.length).toBe(3);
    expect(pages.has_more).toBe(true);
    const next = await notion.search({ query: "go-live", filter: { property: "object", value: "page" }, page_size: 3, start_cursor: pages.next_cursor! });
    expect(next.results.map((r) => r.id)).not.toContain(pages.results[0]!.id);
  });

  it("retrieves each database with its single data source, and the data source schema", async () => {
    for (const db of Object.values(sandbox.databases)) {
      const container = await notion.databases.retrieve({ database_id: db.databaseId });
      expect(container).toMatchObject({ object: "database", id: db.databaseId, data_sources: [{ id: db.dataSourceId, name: db.title }] });
      expect(container).not.toHaveProperty("properties");
      const ds = (await notion.dataSources.retrieve({ data_source_id: db.dataSourceId })) as DataSourceObjectResponse;
      expect(ds.parent).toEqual({ type: "database_id", database_id: db.databaseId });
      const props = Object.values(ds.properties);
      expect(props.filter((p) => p.type === "title").map((p) => p.id)).toEqual(["title"]);
      for (const p of props) expect(p.id).toMatch(/^(title|([A-Za-z0-9_~-]|%[0-9A-F]{2}){1,12})$/);
    }
  });

  it("property ids are short and URL-encoded, and relations/rollups describe their targets", async () => {
    const projects = (await notion.dataSources.retrieve({ data_source_id: sandbox.databases.projects!.dataSourceId })) as DataSourceObjectResponse;
    expect(Object.values(projects.properties).some((p) => p.id.includes("%"))).toBe(true);
    const lines = projects.properties["Budget Lines"]!;
    expect(lines.type === "relation" && lines.relation).toMatchObject({
      data_source_id: sandbox.databases.budget_lines!.dataSourceId,
      type: "dual_property",
      dual_property: { synced_property_name: "Project" },
    });
    const actual = projects.properties["Actual Total"]!;
    expect(actual.type === "rollup" && actual.rollup).toMatchObject({
      function: "sum",
      relation_property_name: "Budget Lines",
      rollup_property_name: "Actual",
    });
  });

  it("accepts ids without dashes and in upper case, answers dashed lower case", async () => {
    const { databaseId } = sandbox.databases.risks!;
    const db = await notion.databases.retrieve({ database_id: databaseId.replace(/-/g, "").toUpperCase() });
    expect(db.id).toBe(databaseId);
  });
});
