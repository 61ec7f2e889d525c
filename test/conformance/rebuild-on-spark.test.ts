import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type AppConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/logger.js";
import { runRebuild, runSync } from "../../src/pipeline/index.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import type { Warehouse } from "../../src/warehouse/index.js";
import { expectedRow, mappingColumns, silverSelect, SPARK_ORACLE, type OracleColumn } from "../support/oracle.js";
import { openSparkWarehouse, uniquePrefix } from "./spark-target.js";

/**
 * State and rebuild on Spark + Delta through the Databricks dialect: the watermark rows in
 * `ppm_meta.watermarks`, a rebuild from bronze after a column was added (silver equal to the
 * sandbox, row by row and column by column), and the column-type path: `--replace-column` swaps in
 * a table of the new type by CREATE OR REPLACE, which Delta records in the table's history.
 */
const MAPPING = readFileSync("config/notion_mapping.yaml", "utf8");
const PHONE = `    - notion_property: "Phone"\n      column_name: "contact_phone"\n      column_type: "STRING"\n`;
const SPENT = 'column_name: "spent"\n      column_type: "DECIMAL(18,2)"';
const logger = createLogger({ level: "silent", format: "json" });

describe("state and rebuild on Spark + Delta", () => {
  let sandbox: Sandbox;
  let dir: string;
  let prefix: string;
  let reader: Warehouse;
  const clock = Date.parse("2026-11-01T10:00:10.000Z");
  const configFor = (mapping: string): AppConfig => {
    const path = join(dir, "mapping.yaml");
    writeFileSync(
      path,
      mapping.replace(
        /^settings:\n/m,
        `settings:\n  schemas: { bronze: ${prefix}_bronze, silver: ${prefix}_silver, meta: ${prefix}_meta, gold: ${prefix}_gold }\n`,
      ),
    );
    return loadConfig({
      env: {
        ...sandbox.env(),
        MAPPING_PATH: path,
        WATERMARK_DIR: join(dir, "watermarks"),
        DUCKDB_PATH: join(dir, "unused.duckdb"),
        NOTION_RPS: "500",
        NOTION_BURST: "50",
      },
      requireToken: true,
    });
  };
  const deps = (config: AppConfig) => ({ config, logger, now: () => new Date(clock), openWarehouse: () => openSparkWarehouse() });
  const silverName = () => reader.sql.tableName({ schema: `${prefix}_silver`, name: "projects" });

  async function expectProjectsEqualSandbox(columns: OracleColumn[]): Promise<void> {
    const users = new Map(sandbox.store.users().map((u) => [u.id as string, u as Record<string, any>]));
    const pages = sandbox.store.listPages(sandbox.databases.projects!.dataSourceId, { includeTrashed: true }) as Record<string, any>[];
    const expected = pages.map((p) => expectedRow(p, columns, users)).sort((a, b) => String(a.page_id).localeCompare(String(b.page_id)));
    const lists = columns.filter((c) => c.column_type === "ARRAY<STRING>").map((c) => c.column_name);
    const actual = (await reader.sql.query(silverSelect(silverName(), columns, SPARK_ORACLE))).map((row) => {
      for (const name of lists) row[name] = SPARK_ORACLE.parseList(row[name]);
      return row;
    });
    expect(actual.map((r) => r.page_id)).toEqual(expected.map((r) => r.page_id));
    for (let i = 0; i < expected.length; i += 1) expect(actual[i], `projects row ${String(expected[i]!.page_id)}`).toEqual(expected[i]);
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 5, scale: 40, now: () => clock });
    dir = mkdtempSync(join(tmpdir(), "nds-spark-rebuild-"));
    prefix = uniquePrefix();
    reader = await openSparkWarehouse();
  });
  afterAll(async () => {
    await reader?.close();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the watermark with the data, rebuilds an added column from bronze, and replaces a changed type by a new table version", async () => {
    const first = await runSync(deps(configFor(MAPPING.replace(PHONE, ""))), { databases: ["projects"] });
    expect(first.summaries.map((s) => [s.status, s.mode])).toEqual([["success", "full"]]);
    const stored = await reader.sql.query(`SELECT database_key, mapping_hash FROM ${reader.sql.tableName({ schema: `${prefix}_meta`, name: "watermarks" })}`);
    expect(stored.map((r) => r.database_key)).toEqual(["projects"]);

    // A column added: silver rebuilt from bronze, equal to the sandbox, no Notion request.
    const before = sandbox.requests.length;
    const added = await runRebuild(deps(configFor(MAPPING)), { databases: ["projects"] });
    expect(added.databases.map((d) => [d.databaseKey, d.ok])).toEqual([["projects", true]]);
    expect(sandbox.requests.length - before).toBe(0);
    await expectProjectsEqualSandbox(mappingColumns("config/notion_mapping.yaml").projects!);

    // A changed type: refused unless named, then a new table version of the new type, same rows.
    const retyped = configFor(MAPPING.replace(SPENT, 'column_name: "spent"\n      column_type: "DOUBLE"'));
    const unasked = await runRebuild(deps(retyped), { databases: ["projects"] });
    expect(unasked.databases[0]).toMatchObject({ ok: false, errorCode: "usage" });
    const replaced = await runRebuild(deps(retyped), { databases: ["projects"], replaceColumns: ["spent"] });
    expect(replaced.databases[0]).toMatchObject({ ok: true, replacedColumns: ["spent"] });
    const described = await reader.sql.query(`DESCRIBE TABLE ${silverName()}`);
    expect(described.find((c) => c.col_name === "spent")?.data_type).toBe("double");
    const history = await reader.sql.query(`DESCRIBE HISTORY ${silverName()}`);
    expect(history.some((h) => String(h.operation).startsWith("CREATE OR REPLACE TABLE"))).toBe(true);
    const spent = await reader.sql.query(`SELECT count(*) AS n, count(spent) AS filled FROM ${silverName()}`);
    expect(Number(spent[0]!.filled)).toBeGreaterThan(0);
    expect(Number(spent[0]!.n)).toBe(sandbox.store.listPages(sandbox.databases.projects!.dataSourceId, { includeTrashed: true }).length);
    // The next sync with the new type is incremental: the watermark names the mapping silver reflects.
    const next = await runSync(deps(retyped), { databases: ["projects"] });
    expect(next.summaries.map((s) => [s.status, s.mode])).toEqual([["success", "incremental"]]);
  }, 900_000);
});
