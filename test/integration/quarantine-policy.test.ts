import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../../src/pipeline/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/** on_invalid: quarantine keeps invalid rows out of silver, and a rerun writes nothing again. */
let fixture: SyncFixture;
let sandbox: Sandbox;
const logger = pino({ level: "silent" });

beforeAll(async () => {
  fixture = await syncFixture({ seed: 1 });
  sandbox = fixture.sandbox;
  writeFileSync(join(fixture.dir, "m.yaml"), readFileSync("config/notion_mapping.yaml", "utf8").replace('on_invalid: "null"', 'on_invalid: "quarantine"'));
});
afterAll(() => fixture.close());

const config = () => fixture.config({ MAPPING_PATH: join(fixture.dir, "m.yaml") });

describe("on_invalid: quarantine", () => {
  it("keeps rows with invalid values out of silver, in bronze and the quarantine log, and does not log them again", async () => {
    const first = await runSync({ config: config(), logger }, { databases: ["projects"] });
    expect(first.summaries[0]).toMatchObject({ status: "success", rowsQuarantined: 2 });
    const planted = sandbox.plantedProblems
      .filter((p) => p.database === "projects" && p.rule === "invalid")
      .map((p) => p.pageId)
      .sort();
    const file = fixture.duckdbPath;
    const inSilver = await queryFile(file, `SELECT page_id FROM ppm_silver.projects WHERE page_id IN (${planted.map((id) => `'${id}'`).join(",")})`);
    expect(inSilver).toEqual([]);
    const inBronze = await queryFile(
      file,
      `SELECT DISTINCT page_id FROM ppm_bronze.notion_projects WHERE page_id IN (${planted.map((id) => `'${id}'`).join(",")}) ORDER BY 1`,
    );
    expect(inBronze.map((r) => r.page_id)).toEqual(planted);
    const logged = await queryFile(file, "SELECT count(*) AS n FROM ppm_meta.quarantine");
    for (const full of [true, false]) {
      const again = await runSync({ config: config(), logger }, { databases: ["projects"], full });
      expect(again.summaries[0]).toMatchObject({ status: "success", rowsUpserted: 0, bronzeVersions: 0, rowsQuarantined: 0 });
    }
    expect(await queryFile(file, "SELECT count(*) AS n FROM ppm_meta.quarantine")).toEqual(logged);
  });
});

describe("data-quality checks under on_invalid: quarantine", () => {
  it("report the held-back rows' invalid values, and no orphans for pages that point to them", async () => {
    const { createWarehouse } = await import("../../src/warehouse/index.js");
    const { runDqChecks } = await import("../../src/quality/index.js");
    expect((await runSync({ config: config(), logger })).ok).toBe(true);
    const warehouse = await createWarehouse(config().warehouse);
    try {
      const result = await runDqChecks(warehouse.sql, config(), { runId: "q-dq", now: new Date() });
      const found = result.issues.map((i) => `${i.databaseKey}|${i.pageId}|${i.columnName}|${i.rule}`).sort();
      expect(found).toEqual(sandbox.plantedProblems.map((p) => `${p.database}|${p.pageId}|${p.column}|${p.rule}`).sort());
    } finally {
      await warehouse.close();
    }
  });
});
