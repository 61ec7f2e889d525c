import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSync } from "../../src/pipeline/index.js";
import { runDqChecks, type DqResult } from "../../src/quality/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { createWarehouse } from "../../src/warehouse/index.js";
import { runCli } from "../support/cli.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/** The DQ checks over a synced sandbox: the planted problems, fixes, the gold tables and the runbook's queries. */
let fixture: SyncFixture;
let sandbox: Sandbox;
let dir: string;
const logger = pino({ level: "silent" });
const config = () => fixture.config();

async function check(now = new Date()): Promise<DqResult> {
  const warehouse = await createWarehouse(config().warehouse);
  try {
    return await runDqChecks(warehouse.sql, config(), { runId: `dq-${now.getTime()}`, now });
  } finally {
    await warehouse.close();
  }
}

async function query(sql: string) {
  const warehouse = await createWarehouse(config().warehouse);
  try {
    return await warehouse.sql.query(sql);
  } finally {
    await warehouse.close();
  }
}

beforeAll(async () => {
  fixture = await syncFixture({ seed: 1 });
  sandbox = fixture.sandbox;
  dir = fixture.dir;
  expect((await runSync({ config: config(), logger })).ok).toBe(true);
});
afterAll(() => fixture.close());

describe("data-quality checks", () => {
  it("finds each planted problem exactly once, with its rule, column and page, and nothing else", async () => {
    const result = await check();
    const found = result.issues.map((i) => `${i.databaseKey}|${i.pageId}|${i.columnName}|${i.rule}`).sort();
    const planted = sandbox.plantedProblems.map((p) => `${p.database}|${p.pageId}|${p.column}|${p.rule}`).sort();
    expect(found).toEqual(planted);
    expect(result.score).toBeGreaterThan(95);
    expect(result.score).toBeLessThan(100);
    const rows = await query("SELECT database_key, page_id, column_name, rule FROM ppm_gold.dq_issues");
    expect(rows.map((r) => `${String(r.database_key)}|${String(r.page_id)}|${String(r.column_name)}|${String(r.rule)}`).sort()).toEqual(planted);
  });

  it("answers the runbook's P3 query with the current problems, critical first", async () => {
    // Two hours later with nothing synced, every database is stale: critical freshness problems.
    await check(new Date(Date.now() + 2 * 3_600_000));
    const rows = await query("SELECT * FROM ppm_gold.dq_issues WHERE detected_at > now() - INTERVAL 24 HOURS ORDER BY severity DESC");
    expect(rows.slice(0, 5).map((r) => [r.rule, r.severity])).toEqual(Array.from({ length: 5 }, () => ["freshness", "4-critical"]));
    expect(rows.map((r) => String(r.severity))).toEqual([...rows.map((r) => String(r.severity))].sort().reverse());
    expect(rows).toHaveLength(sandbox.plantedProblems.length + 5);
  });

  it("drops a problem from the next check once it is fixed in Notion and synced, and scores 100 when all are", async () => {
    const projects = sandbox.databases.projects!.dataSourceId;
    const live = sandbox.store.pageIds(projects);
    for (const p of sandbox.plantedProblems) {
      const fix: Record<string, Record<string, unknown>> = {
        "programs|duplicate": { Code: { rich_text: [{ text: { content: "PRG-999" } }] } },
        "projects|required": { Name: { title: [{ text: { content: "Named at last" } }] } },
        "projects|invalid": p.column === "budget" ? { Budget: { number: 25_000 } } : { Complete: { number: 1 } },
        "budget_lines|required": { Project: { relation: [{ id: live[0]! }] } },
        "budget_lines|orphan": { Project: { relation: [{ id: live[0]! }] } },
        "budget_lines|invalid":
          p.column === "planned_amount" ? { Planned: { number: 4_500 } } : { "Cost Center": { rich_text: [{ text: { content: "CC-1204" } }] } },
        "milestones|orphan": { Project: { relation: [{ id: live[1]! }] } },
        "risks|invalid": { Likelihood: { number: 5 } },
      };
      sandbox.store.updatePage(p.pageId, fix[`${p.database}|${p.rule}`]!);
    }
    const first = sandbox.plantedProblems[0]!;
    expect((await runSync({ config: config(), logger })).ok).toBe(true);
    const result = await check();
    expect(result.issues).toEqual([]);
    expect(result.score).toBe(100);
    expect(await query(`SELECT * FROM ppm_gold.dq_issues`)).toEqual([]);
    // History keeps what was found before.
    const history = await query(`SELECT count(*) AS n FROM ppm_gold.dq_issues_history WHERE page_id = '${first.pageId}'`);
    expect(Number(history[0]!.n)).toBeGreaterThanOrEqual(2);
  });

  it("answers the runbook's weekly trend query verbatim", async () => {
    const rows = await query(
      "SELECT DATE(checked_at), AVG(dq_score) as avg_score FROM ppm_gold.control_room_status WHERE checked_at > current_date() - INTERVAL 7 DAYS GROUP BY 1 ORDER BY 1",
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(Number(rows.at(-1)!.avg_score)).toBeGreaterThan(0);
    // One row per check: the planted problems, then (checked two hours ahead) everything stale, then all fixed.
    const status = await query("SELECT dq_score, databases_total, databases_failed, issues_total FROM ppm_gold.control_room_status ORDER BY run_id");
    expect(status.map((s) => [s.issues_total, s.databases_total, s.databases_failed])).toEqual([
      [10, 5, 0],
      [0, 5, 0],
      [15, 5, 0],
    ]);
    expect(status.map((s) => s.dq_score)).toContain(100);
  });

  it("exits 0 at or above the threshold and 1 below it (npm run dq)", async () => {
    const strict = join(dir, "strict.yaml");
    writeFileSync(
      strict,
      readFileSync("config/notion_mapping.yaml", "utf8").replace(
        'on_invalid: "null"',
        'on_invalid: "null"\n  dq:\n    threshold: 100\n    max_staleness_minutes: 30',
      ),
    );
    const ok = await runCli(["dq", "--json"], { DUCKDB_PATH: join(dir, "w.duckdb") });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ score: 100, threshold: 95 });
    sandbox.store.updatePage(sandbox.store.pageIds(sandbox.databases.risks!.dataSourceId)[0]!, { Likelihood: { number: 9 } });
    expect((await runSync({ config: config(), logger }, { databases: ["risks"] })).ok).toBe(true);
    const below = await runCli(["dq"], { DUCKDB_PATH: join(dir, "w.duckdb"), MAPPING_PATH: strict });
    expect(below.code).toBe(1);
    expect(below.stdout).toMatch(/DQ score 99\.\d+ \(threshold 100\): BELOW THRESHOLD/);
    expect(below.stdout).toContain("✗ risks          invalid    1 of");
  });
});

describe("data-quality checks at scale and when data is stale", () => {
  it("writes every problem of a large table without holding them in memory, and stale data fails the threshold", async () => {
    const big = await syncFixture({ seed: 2, scale: 20_000 });
    try {
      const mapping = join(big.dir, "m.yaml");
      // Every budget line now breaks a rule: 20,000 problems in one check.
      writeFileSync(mapping, readFileSync("config/notion_mapping.yaml", "utf8").replace('pattern: "^CC-[0-9]{4}$"', 'pattern: "^never$"'));
      const cfg = big.config({ MAPPING_PATH: mapping });
      expect((await runSync({ config: cfg, logger }, { databases: ["budget_lines", "projects"] })).ok).toBe(true);
      const warehouse = await createWarehouse(cfg.warehouse);
      try {
        const result = await runDqChecks(warehouse.sql, cfg, { runId: "big", now: new Date() });
        const invalid = result.checks.find((c) => c.databaseKey === "budget_lines" && c.columnName === "cost_center" && c.rule === "invalid");
        expect(invalid?.failed).toBeGreaterThanOrEqual(19_000);
        expect(result.issuesTotal).toBeGreaterThanOrEqual(invalid!.failed);
        expect(result.issues.length).toBeLessThanOrEqual(200);
        const [rows] = await warehouse.sql.query("SELECT count(*) AS n FROM ppm_gold.dq_issues WHERE rule = 'invalid' AND column_name = 'cost_center'");
        expect(Number(rows!.n)).toBe(invalid!.failed);
        // Three days without a sync: freshness weighs as much as the stale rows, and the score drops below 95.
        const stale = await runDqChecks(warehouse.sql, cfg, { runId: "stale", now: new Date(Date.now() + 3 * 24 * 3_600_000) });
        expect(stale.score).toBeLessThan(95);
      } finally {
        await warehouse.close();
      }
    } finally {
      await big.close();
    }
  }, 120_000);
});
