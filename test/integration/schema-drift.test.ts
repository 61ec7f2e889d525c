import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEventBus, type SyncEvents } from "../../src/observability/events.js";
import { runSync } from "../../src/pipeline/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/** Schema changes in Notion between two runs: renames are followed, incompatible changes fail only their database. */
let fixture: SyncFixture;
let sandbox: Sandbox;
const logger = pino({ level: "silent" });

beforeEach(async () => {
  fixture = await syncFixture({ seed: 6 });
  sandbox = fixture.sandbox;
});
afterEach(() => fixture.close());

const config = () => fixture.config();

describe("schema drift", () => {
  it("follows a renamed property by its id and says which mapping line to update", async () => {
    expect((await runSync({ config: config(), logger }, { databases: ["risks"] })).ok).toBe(true);
    sandbox.store.updateDataSource(sandbox.databases.risks!.dataSourceId, { properties: { Severity: { name: "Risk Severity" } } });
    const risk = sandbox.store.pageIds(sandbox.databases.risks!.dataSourceId)[0]!;
    sandbox.store.updatePage(risk, { "Risk Severity": { select: { name: "Critical" } } });
    const events = createEventBus();
    const renames: SyncEvents["schema:renamed"][] = [];
    events.on("schema:renamed", (e) => renames.push(e));
    const result = await runSync({ config: config(), logger, events }, { databases: ["risks"] });
    expect(result.ok).toBe(true);
    expect(renames).toEqual([{ databaseKey: "risks", propertyId: expect.any(String), from: "Severity", to: "Risk Severity", line: expect.any(Number) }]);
    const rows = await queryFile(fixture.duckdbPath, `SELECT severity FROM ppm_silver.risks WHERE page_id = '${risk}'`);
    expect(rows).toEqual([{ severity: "Critical" }]);
  });

  it("fails only the database whose property changed to an incompatible type, at its next page to write and before writing anything", async () => {
    expect((await runSync({ config: config(), logger })).ok).toBe(true);
    sandbox.store.updateDataSource(sandbox.databases.risks!.dataSourceId, { properties: { Likelihood: { type: "rich_text", rich_text: {} } } });
    // A quiet run asks only its two queries per database: the schema is checked when a page needs it.
    const quiet = await runSync({ config: config(), logger });
    expect(quiet.ok).toBe(true);
    expect(quiet.summaries.map((s) => [s.databaseKey, s.notionRequests, s.rowsUpserted])).toEqual(quiet.summaries.map((s) => [s.databaseKey, 2, 0]));
    const risk = sandbox.store.pageIds(sandbox.databases.risks!.dataSourceId)[0]!;
    sandbox.store.updatePage(risk, { Severity: { select: { name: "Critical" } } });
    const result = await runSync({ config: config(), logger });
    expect(result.ok).toBe(false);
    const failed = result.summaries.filter((s) => s.status === "failed");
    expect(failed.map((s) => [s.databaseKey, s.errorCode, s.rowsUpserted])).toEqual([["risks", "schema_drift", 0]]);
    expect(failed[0]!.error).toMatch(
      /database "risks": "Likelihood" is a rich_text property, which cannot fill column likelihood \(INT\) at config\/notion_mapping\.yaml line \d+/,
    );
  });

  it("fails a database whose mapped property is gone, listing the properties there are", async () => {
    sandbox.store.updateDataSource(sandbox.databases.milestones!.dataSourceId, { properties: { "Days Late": null } });
    const result = await runSync({ config: config(), logger }, { databases: ["milestones", "risks"] });
    expect(result.summaries.map((s) => [s.databaseKey, s.status])).toEqual([
      ["milestones", "failed"],
      ["risks", "success"],
    ]);
    expect(result.summaries[0]!.error).toMatch(
      /Notion property "Days Late" \(column days_late, config\/notion_mapping\.yaml line \d+\) not found in data source .*; update notion_property in the mapping \(properties now: .*"Milestone"/,
    );
  });
});
