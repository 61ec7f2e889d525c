import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, type AppConfig } from "../../src/config/index.js";
import { createEventBus } from "../../src/observability/events.js";
import { createLogger } from "../../src/observability/logger.js";
import { runSync } from "../../src/pipeline/index.js";
import { runDqChecks } from "../../src/quality/run-checks.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { fileWatermarkStore } from "../../src/state/index.js";
import { createWarehouse, type Warehouse } from "../../src/warehouse/index.js";
import { expectedRow, mappingColumns, silverSelect, SPARK_ORACLE } from "../support/oracle.js";
import { CATALOG, uniquePrefix } from "./spark-target.js";

/** How the pipeline reaches Spark: through the HiveServer2 test session, or through @databricks/sql. */
export interface SyncTarget {
  /** Variables over the sandbox's: the warehouse's, for a worker configured as in production. */
  readonly env: Record<string, string>;
  /** The run's warehouse when not the one of the settings (the HiveServer2 path). */
  readonly openWarehouse?: () => Promise<Warehouse>;
  /** A warehouse to read the results with. */
  openReader(): Promise<Warehouse>;
  /** The statements the pipeline sent, as SQL text with markers. */
  statements(): readonly string[];
}

/**
 * The whole pipeline into Spark + Delta through the Databricks dialect: every silver table equal
 * to the sandbox, row by row and column by column; run records; the data-quality checks finding
 * exactly what they find on DuckDB; and the runbook's disaster recovery (RESTORE TABLE, then a
 * watermark reset) bringing the copy back.
 */
export function syncSuite(name: string, makeTarget: () => SyncTarget): void {
  const MAPPING = "config/notion_mapping.yaml";
  const columns = mappingColumns(MAPPING);
  const KEYS = Object.keys(columns);
  const logger = createLogger({ level: "silent", format: "json" });

  let sandbox: Sandbox;
  let dir: string;
  let config: AppConfig;
  let reader: Warehouse;
  let clock = Date.parse("2026-11-01T10:00:10.000Z");
  let target: SyncTarget;
  let mappingPath: string;

  const sync = async (full = false) => {
    const events = createEventBus();
    const batches = new Map<string, number>();
    events.on("batch:loaded", (e) => batches.set(e.databaseKey, (batches.get(e.databaseKey) ?? 0) + 1));
    const result = await runSync(
      { config, logger, events, now: () => new Date(clock), ...(target.openWarehouse ? { openWarehouse: target.openWarehouse } : {}) },
      { full },
    );
    return { ...result, batches };
  };

  async function expectSilverEqualsSandbox(key: string): Promise<void> {
    const users = new Map(sandbox.store.users().map((u) => [u.id as string, u as Record<string, any>]));
    const pages = sandbox.store.listPages(sandbox.databases[key]!.dataSourceId, { includeTrashed: true }) as Record<string, any>[];
    const expected = pages.map((p) => expectedRow(p, columns[key]!, users)).sort((a, b) => String(a.page_id).localeCompare(String(b.page_id)));
    const table = reader.sql.tableName({ schema: config.mapping.settings.schemas.silver, name: key });
    const lists = columns[key]!.filter((c) => c.column_type === "ARRAY<STRING>").map((c) => c.column_name);
    const actual = (await reader.sql.query(silverSelect(table, columns[key]!, SPARK_ORACLE))).map((row) => {
      for (const name of lists) row[name] = SPARK_ORACLE.parseList(row[name]);
      return row;
    });
    expect(actual.map((r) => r.page_id)).toEqual(expected.map((r) => r.page_id));
    for (let i = 0; i < expected.length; i += 1) expect(actual[i], `${key} row ${String(expected[i]!.page_id)}`).toEqual(expected[i]);
  }

  const silverName = (key: string) => reader.sql.tableName({ schema: config.mapping.settings.schemas.silver, name: key });
  const bronzeName = (key: string) => reader.sql.tableName({ schema: config.mapping.settings.schemas.bronze, name: `notion_${key}` });
  const historyOf = async (table: string) => (await reader.sql.query(`DESCRIBE HISTORY ${table}`)) as { version: number; operation: string }[];
  const history = (key: string) => historyOf(silverName(key));

  beforeAll(async () => {
    target = makeTarget();
    sandbox = await startSandbox({ seed: 1, scale: 120, now: () => clock });
    dir = mkdtempSync(join(tmpdir(), "nds-spark-e2e-"));
    // The project's mapping in schemas of this suite's own: both paths sync into one Spark.
    const prefix = uniquePrefix();
    mappingPath = join(dir, "mapping.yaml");
    writeFileSync(
      mappingPath,
      readFileSync(MAPPING, "utf8").replace(
        /^settings:\n/m,
        `settings:\n  schemas: { bronze: ${prefix}_bronze, silver: ${prefix}_silver, meta: ${prefix}_meta, gold: ${prefix}_gold }\n`,
      ),
    );
    config = loadConfig({
      env: {
        ...sandbox.env(),
        MAPPING_PATH: mappingPath,
        WATERMARK_DIR: join(dir, "watermarks"),
        DUCKDB_PATH: join(dir, "unused.duckdb"),
        NOTION_RPS: "500",
        NOTION_BURST: "50",
        ...target.env,
      },
      requireToken: true,
    });
    expect(config.mapping.settings.schemas.silver).toBe(`${prefix}_silver`);
    reader = await target.openReader();
  });

  afterAll(async () => {
    await reader?.close();
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe(`a sync into Spark + Delta through the Databricks dialect, ${name}`, () => {
    it("copies every page of every database exactly, with one MERGE per table per batch and a run record per database", async () => {
      const result = await sync();
      expect(result.summaries.map((s) => [s.databaseKey, s.status, s.error])).toEqual(KEYS.map((k) => [k, "success", null]));
      for (const key of KEYS) await expectSilverEqualsSandbox(key);
      // Three-level names with the catalog, backticks, one JSON parameter per MERGE of a batch.
      const merges = target.statements().filter((s) => s.startsWith("MERGE INTO"));
      expect(merges.length).toBeGreaterThan(0);
      for (const merge of merges) {
        expect(merge.startsWith(`MERGE INTO \`${CATALOG}\`.`), merge.slice(0, 80)).toBe(true);
        // A batch's rows as one JSON parameter; the reconcile reads the seen ids' table.
        expect(merge.includes("inline(from_json(:nds_rows,") || merge.includes("WHEN NOT MATCHED BY SOURCE"), merge.slice(0, 200)).toBe(true);
      }
      for (const key of KEYS) {
        const merges = async (table: string) => (await historyOf(table)).filter((h) => h.operation === "MERGE").length;
        // Every batch of a first sync changes both tables, so each MERGE committed one version.
        expect([await merges(silverName(key)), await merges(bronzeName(key))], key).toEqual([result.batches.get(key) ?? 0, result.batches.get(key) ?? 0]);
      }
      const runs = await reader.sql.query(
        `SELECT database_key, status, ${reader.sql.functions.toText("pages_read")} AS pages FROM ${reader.sql.tableName({ schema: config.mapping.settings.schemas.meta, name: "sync_runs" })} ORDER BY database_key`,
      );
      expect(runs.map((r) => [r.database_key, r.status])).toEqual([...KEYS].sort().map((k) => [k, "success"]));
      const pages = (key: string) => sandbox.store.listPages(sandbox.databases[key]!.dataSourceId, { includeTrashed: true }).length;
      expect(runs.map((r) => Number(r.pages))).toEqual([...KEYS].sort().map(pages));
    });

    it("finds the same data-quality problems and score as on DuckDB", async () => {
      const now = new Date(clock);
      const onSpark = await runDqChecks(reader.sql, config, { runId: "dq-spark", now });
      // The same sandbox into DuckDB, then the same checks.
      const duckConfig = loadConfig({
        env: {
          ...sandbox.env(),
          MAPPING_PATH: mappingPath,
          WATERMARK_DIR: join(dir, "duck-watermarks"),
          DUCKDB_PATH: join(dir, "w.duckdb"),
          NOTION_RPS: "500",
          NOTION_BURST: "50",
        },
        requireToken: true,
      });
      expect((await runSync({ config: duckConfig, logger, now: () => now })).ok).toBe(true);
      const duck = await createWarehouse(duckConfig.warehouse);
      const onDuck = await runDqChecks(duck.sql, duckConfig, { runId: "dq-duck", now });
      const issues = async (w: Warehouse, table: string) =>
        (
          await w.sql.query(
            `SELECT rule, database_key, page_id, column_name, severity, message FROM ${table} ORDER BY database_key, rule, page_id, column_name`,
          )
        ).map((r) => JSON.stringify(r));
      const gold = { schema: config.mapping.settings.schemas.gold, name: "dq_issues" };
      const duckIssues = await issues(duck, duck.sql.tableName(gold));
      await duck.close();
      expect(onSpark.issuesTotal).toBeGreaterThanOrEqual(10);
      expect(await issues(reader, reader.sql.tableName(gold))).toEqual(duckIssues);
      expect({ score: onSpark.score, total: onSpark.issuesTotal, checks: onSpark.checks }).toEqual({
        score: onDuck.score,
        total: onDuck.issuesTotal,
        checks: onDuck.checks,
      });
      // Every check is a statement that Spark runs in seconds, and through @databricks/sql each is also
      // polled: 137 s on the HiveServer2 path at load 2, past the suite's 240 s through the driver at load 4–6.
    }, 600_000);

    it("follows edits and trash incrementally, and RESTORE TABLE plus a watermark reset bring a damaged copy back", async () => {
      const notion = new Client({ auth: sandbox.token, baseUrl: sandbox.url });
      const ids = (key: string) => sandbox.store.pageIds(sandbox.databases[key]!.dataSourceId);
      clock += 60 * 60_000;
      await notion.pages.update({ page_id: ids("budget_lines")[0]!, properties: { Actual: { number: 4321.5 } } });
      await notion.pages.update({ page_id: ids("risks")[0]!, in_trash: true });
      const second = await sync();
      expect(second.ok).toBe(true);
      for (const key of KEYS) await expectSilverEqualsSandbox(key);

      // An operator's mistake: budget_lines' silver is damaged. The runbook: restore the last good
      // version, reset the watermark, sync.
      const goodVersion = Math.max(...(await history("budget_lines")).map((h) => h.version));
      await reader.sql.execute(`DELETE FROM ${silverName("budget_lines")} WHERE actual_amount IS NOT NULL`);
      await reader.sql.execute(`UPDATE ${silverName("budget_lines")} SET ${reader.sql.quote("_row_hash")} = 'damaged'`);
      await reader.sql.execute(`RESTORE TABLE ${silverName("budget_lines")} TO VERSION AS OF ${goodVersion}`);
      expect(await fileWatermarkStore(config.watermarkDir).reset("budget_lines")).toBe(true);
      clock += 60_000;
      const third = await sync();
      expect(third.summaries.find((s) => s.databaseKey === "budget_lines")?.mode).toBe("full");
      expect(third.ok).toBe(true);
      for (const key of KEYS) await expectSilverEqualsSandbox(key);
    });
  });
}
