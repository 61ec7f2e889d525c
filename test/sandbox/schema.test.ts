import { APIResponseError, type Client, type DataSourceObjectResponse, type PageObjectResponse } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor, testClock } from "./support.js";

describe("schema changes through PATCH /v1/data_sources/{id}", () => {
  let sandbox: Sandbox;
  let notion: Client;
  let risks: string;
  const clock = testClock("2026-08-10T09:05:31.000Z");
  const schema = async () => (await notion.dataSources.retrieve({ data_source_id: risks })) as DataSourceObjectResponse;
  beforeAll(async () => {
    sandbox = await startSandbox({ now: clock.now });
    notion = clientFor(sandbox);
    risks = sandbox.databases.risks!.dataSourceId;
  });
  afterAll(() => sandbox.close());

  it("renames a property by name and keeps its id; page values follow the new name", async () => {
    const before = await schema();
    const id = before.properties["Severity"]!.id;
    const updated = (await notion.dataSources.update({ data_source_id: risks, properties: { Severity: { name: "Risk Level" } } })) as DataSourceObjectResponse;
    expect(updated.properties["Risk Level"]!.id).toBe(id);
    expect(updated.properties["Severity"]).toBeUndefined();
    expect(updated.last_edited_time).toBe("2026-08-10T09:05:00.000Z");
    const page = (await notion.dataSources.query({ data_source_id: risks, page_size: 1 })).results[0] as PageObjectResponse;
    expect(page.properties["Risk Level"]!.id).toBe(id);
    const byOld = await notion.dataSources
      .query({ data_source_id: risks, filter: { property: "Severity", select: { equals: "High" } } })
      .catch((e: unknown) => e);
    expect(APIResponseError.isAPIResponseError(byOld) && byOld.message).toBe("Could not find property with name or id: Severity");
    const byId = await notion.dataSources.query({ data_source_id: risks, filter: { property: id, select: { equals: "High" } } });
    expect(byId.results.length).toBeGreaterThan(0);
  });

  it("renames by property id too, and formulas keep working after their inputs are renamed", async () => {
    const likelihood = (await schema()).properties["Likelihood"]!.id;
    const updated = (await notion.dataSources.update({
      data_source_id: risks,
      properties: { [likelihood]: { name: "Probability" } },
    })) as DataSourceObjectResponse;
    expect(updated.properties["Probability"]!.id).toBe(likelihood);
    const score = updated.properties["Score"]!;
    expect(score.type === "formula" && score.formula.expression).toContain('prop("Probability")');
    const page = (await notion.dataSources.query({ data_source_id: risks, page_size: 1, sorts: [{ property: "Score", direction: "descending" }] }))
      .results[0] as PageObjectResponse;
    expect((page.properties["Score"] as unknown as { formula: { number: number } }).formula.number).toBeGreaterThan(0);
  });

  it("adds a property (empty on every page) and removes one", async () => {
    clock.set("2026-08-10T10:42:10.000Z");
    const added = (await notion.dataSources.update({
      data_source_id: risks,
      properties: { Escalated: { checkbox: {} }, Reviewer: { type: "rich_text", rich_text: {} }, "Review Date": null },
    })) as DataSourceObjectResponse;
    expect(added.properties["Escalated"]).toMatchObject({ type: "checkbox", name: "Escalated" });
    expect(added.properties["Review Date"]).toBeUndefined();
    expect(added.last_edited_time).toBe("2026-08-10T10:42:00.000Z");
    const page = (await notion.dataSources.query({ data_source_id: risks, page_size: 1 })).results[0] as PageObjectResponse;
    expect(page.properties["Escalated"]).toMatchObject({ type: "checkbox", checkbox: false });
    expect(page.properties["Reviewer"]).toMatchObject({ type: "rich_text", rich_text: [] });
    expect(page.properties["Review Date"]).toBeUndefined();
    const written = (await notion.pages.update({ page_id: page.id, properties: { Escalated: { checkbox: true } } })) as PageObjectResponse;
    expect(written.properties["Escalated"]).toMatchObject({ checkbox: true });
  });

  it("refuses to remove the title property or to rename onto an existing name", async () => {
    const noTitle = await notion.dataSources.update({ data_source_id: risks, properties: { Risk: null } }).catch((e: unknown) => e);
    expect(APIResponseError.isAPIResponseError(noTitle) && noTitle.code).toBe("validation_error");
    const clash = await notion.dataSources.update({ data_source_id: risks, properties: { Open: { name: "Risk" } } }).catch((e: unknown) => e);
    expect(APIResponseError.isAPIResponseError(clash) && clash.code).toBe("validation_error");
  });
});
