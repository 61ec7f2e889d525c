import { APIResponseError, type Client, type PageObjectResponse } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor, plain, rawCall, testClock } from "./support.js";

type Props = Record<string, Record<string, unknown>>;

describe("page writes: create, update, trash and restore", () => {
  let sandbox: Sandbox;
  let notion: Client;
  const clock = testClock("2026-08-03T10:15:42.123Z");
  let botId: string;
  let projectsDs: string;
  let linesDs: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ now: clock.now });
    notion = clientFor(sandbox);
    botId = (await notion.users.me({})).id;
    projectsDs = sandbox.databases.projects!.dataSourceId;
    linesDs = sandbox.databases.budget_lines!.dataSourceId;
  });
  afterAll(() => sandbox.close());

  it("creates a page with keys by name or id and options by name or id; stamps minute-rounded times and the bot", async () => {
    const schema = sandbox.store.dataSource(linesDs) as {
      properties: Record<string, { id: string; select?: { options: Array<{ id: string; name: string }> } }>;
    };
    const travel = schema.properties["Category"]!.select!.options.find((o) => o.name === "Travel")!;
    const project = sandbox.store.listPages(projectsDs)[0] as { id: string };
    const created = (await notion.pages.create({
      parent: { type: "data_source_id", data_source_id: linesDs },
      properties: {
        Line: { title: [{ text: { content: "Offsite workshop – Aug 2026" } }] },
        [schema.properties["Planned"]!.id]: { number: 12_500 },
        Category: { select: { id: travel.id } },
        Project: { relation: [{ id: project.id.replace(/-/g, "") }] },
        "Cost Center": { rich_text: [{ text: { content: "CC-4120" } }] },
        Period: { date: { start: "2026-08-01", end: "2026-08-31" } },
      },
    })) as PageObjectResponse;
    expect(created.created_time).toBe("2026-08-03T10:15:00.000Z");
    expect(created.last_edited_time).toBe("2026-08-03T10:15:00.000Z");
    expect(created.created_by.id).toBe(botId);
    expect(created.last_edited_by.id).toBe(botId);
    expect(created.parent).toEqual({ type: "data_source_id", data_source_id: linesDs, database_id: sandbox.databases.budget_lines!.databaseId });
    const p = created.properties as unknown as Props;
    expect(p["Category"]!["select"]).toMatchObject({ name: "Travel" });
    expect(p["Line No"]!["unique_id"]).toEqual({ prefix: "BL", number: 401 });
    expect(p["Variance"]!["formula"]).toEqual({ type: "number", number: 12_500 });
    const projectNow = sandbox.store.getPage(project.id) as { properties: Props; last_edited_time: string };
    expect((projectNow.properties["Budget Lines"]!["relation"] as Array<{ id: string }>).map((r) => r.id)).toContain(created.id);
    const again = await notion.pages.retrieve({ page_id: created.id });
    expect(again).toEqual(created);
  });

  it("updates properties, recomputes formulas and bumps last_edited_time to the minute (not within the same minute)", async () => {
    const target = sandbox.store.listPages(projectsDs)[3] as { id: string; last_edited_time: string };
    clock.set("2026-08-03T11:00:59.999Z");
    const updated = (await notion.pages.update({
      page_id: target.id,
      properties: { Budget: { number: 500_000 }, Spent: { number: 600_000 }, Priority: { select: { name: "P0" } } },
    })) as PageObjectResponse;
    const p = updated.properties as unknown as Props;
    expect(updated.last_edited_time).toBe("2026-08-03T11:00:00.000Z");
    expect(updated.last_edited_by.id).toBe(botId);
    expect(p["Remaining"]!["formula"]).toEqual({ type: "number", number: -100_000 });
    expect(p["Over Budget"]!["formula"]).toEqual({ type: "boolean", boolean: true });
    expect(p["Last Edited By"]!["last_edited_by"]).toMatchObject({ id: botId, type: "bot" });
    clock.set("2026-08-03T11:00:30.000Z");
    const second = await notion.pages.update({ page_id: target.id, properties: { Spent: { number: 1 } } });
    expect((second as PageObjectResponse).last_edited_time).toBe("2026-08-03T11:00:00.000Z");
  });

  it("moves pages to the trash and back (in_trash, and the archived alias)", async () => {
    const risk = sandbox.store.listPages(sandbox.databases.risks!.dataSourceId)[0] as { id: string };
    const trashed = await notion.pages.update({ page_id: risk.id, in_trash: true });
    expect(trashed).toMatchObject({ in_trash: true, archived: true });
    const fetched = await notion.pages.retrieve({ page_id: risk.id });
    expect(fetched).toMatchObject({ in_trash: true, archived: true });
    const listed = await notion.dataSources.query({ data_source_id: sandbox.databases.risks!.dataSourceId });
    expect(listed.results.map((r) => r.id)).not.toContain(risk.id);
    const refused = await notion.pages.update({ page_id: risk.id, properties: { Open: { checkbox: false } } }).catch((e: unknown) => e);
    expect(APIResponseError.isAPIResponseError(refused) && refused.code).toBe("validation_error");
    const restored = await rawCall(sandbox, "PATCH", `/v1/pages/${risk.id}`, { body: JSON.stringify({ archived: false }) });
    expect(restored.json()).toMatchObject({ in_trash: false, archived: false });
    expect(sandbox.store.listPages(sandbox.databases.risks!.dataSourceId).map((r) => r.id)).toContain(risk.id);
  });

  it("keeps dual relations in step when a budget line changes project", async () => {
    const [from, to] = sandbox.store.listPages(projectsDs).slice(4, 6) as Array<{ id: string; properties: Props }>;
    const lineId = (from!.properties["Budget Lines"]!["relation"] as Array<{ id: string }>)[0]!.id;
    await notion.pages.update({ page_id: lineId, properties: { Project: { relation: [{ id: to!.id }] } } });
    const ids = (id: string) =>
      ((sandbox.store.getPage(id) as { properties: Props }).properties["Budget Lines"]!["relation"] as Array<{ id: string }>).map((r) => r.id);
    expect(ids(from!.id)).not.toContain(lineId);
    expect(ids(to!.id)).toContain(lineId);
  });

  it("lets tests edit through the store with the same request shapes", () => {
    const person = (sandbox.store.users().find((u) => u["type"] === "person") as { id: string }).id;
    const page = sandbox.store.createPage(
      sandbox.databases.milestones!.dataSourceId,
      { Milestone: { title: [{ text: { content: "Steering review" } }] }, Due: { date: { start: "2026-09-30" } } },
      { by: person },
    ) as { id: string; created_by: { id: string }; properties: Props };
    expect(page.created_by.id).toBe(person);
    expect(plain(page, "Milestone")).toBe("Steering review");
    const renamed = sandbox.store.updatePage(page.id, { Milestone: { title: [{ text: { content: "Steering review (moved)" } }] } }) as { properties: Props };
    expect(plain(renamed, "Milestone")).toBe("Steering review (moved)");
    expect(sandbox.store.trashPage(page.id)).toMatchObject({ in_trash: true });
  });

  it.each([
    ["an unknown property", { Nope: { number: 1 } }, /Nope is not a property that exists/],
    ["a read-only formula", { Remaining: { formula: { number: 1 } } }, /cannot be written/],
    ["a wrong value type", { Budget: { number: "a lot" } }, /body.properties.Budget.number should be a number/],
    ["an unknown status", { Status: { status: { name: "Maybe" } } }, /existing option/],
  ])("rejects %s with 400 validation_error", async (_name, properties, message) => {
    const page = sandbox.store.listPages(projectsDs)[7] as { id: string };
    const error = await notion.pages.update({ page_id: page.id, properties: properties as never }).catch((e: unknown) => e);
    expect(APIResponseError.isAPIResponseError(error) && error.status).toBe(400);
    expect((error as APIResponseError).code).toBe("validation_error");
    expect((error as Error).message).toMatch(message);
  });
});
