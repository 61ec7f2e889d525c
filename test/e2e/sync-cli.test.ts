import { mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runCli } from "../support/cli.js";
import { queryFile } from "../support/duckdb-file.js";
import { expectedRow, mappingColumns, silverSelect } from "../support/oracle.js";

const MAPPING = "config/notion_mapping.yaml";
const TOKEN = "secret_e2e_Zq8vX2pLm4";
const columns = mappingColumns(MAPPING);
const KEYS = Object.keys(columns);

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
let clock = Date.parse("2026-11-01T10:00:10.000Z");
const db = () => join(dir, "warehouse.duckdb");
const sync = (...args: string[]) => runCli(["sync", ...args], env);
const normalize = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]));

async function expectSilverEqualsSandbox(key: string): Promise<void> {
  const users = new Map(sandbox.store.users().map((u) => [u.id as string, u as Record<string, any>]));
  // Trashed pages are in silver too, marked _is_deleted.
  const pages = sandbox.store.listPages(sandbox.databases[key]!.dataSourceId, { includeTrashed: true }) as Record<string, any>[];
  const expected = pages.map((p) => expectedRow(p, columns[key]!, users)).sort((a, b) => String(a.page_id).localeCompare(String(b.page_id)));
  const actual = (await queryFile(db(), silverSelect(`ppm_silver.${key}`, columns[key]!))).map(normalize);
  expect(actual.map((r) => r.page_id)).toEqual(expected.map((r) => r.page_id));
  for (let i = 0; i < expected.length; i += 1) expect(actual[i], `${key} row ${String(expected[i]!.page_id)}`).toEqual(expected[i]);
}

async function counts(): Promise<Record<string, { silver: number; bronze: number; distinctVersions: number }>> {
  const out: Record<string, { silver: number; bronze: number; distinctVersions: number }> = {};
  for (const key of KEYS) {
    const [row] = await queryFile(
      db(),
      `SELECT (SELECT count(*) FROM ppm_silver.${key}) AS silver, (SELECT count(*) FROM ppm_bronze.notion_${key}) AS bronze, (SELECT count(DISTINCT (page_id, _row_hash)) FROM ppm_bronze.notion_${key}) AS versions`,
    );
    out[key] = { silver: Number(row!.silver), bronze: Number(row!.bronze), distinctVersions: Number(row!.versions) };
  }
  return out;
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 1, token: TOKEN, now: () => clock });
  dir = mkdtempSync(join(tmpdir(), "nds-e2e-"));
  env = { ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: join(dir, "watermarks"), NOTION_RPS: "200", NOTION_BURST: "50" };
});

afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run sync against the sandbox, read back from the DuckDB file", () => {
  it("copies every page of every database, row by row and column by column", async () => {
    const result = await sync("--json");
    expect(result.stderr).not.toContain(TOKEN);
    expect(result.stdout).not.toContain(TOKEN);
    expect(result.code, result.stderr).toBe(0);
    for (const key of KEYS) await expectSilverEqualsSandbox(key);
    const c = await counts();
    for (const key of KEYS) {
      const pages = sandbox.store.pageIds(sandbox.databases[key]!.dataSourceId, { includeTrashed: true }).length;
      expect(c[key]).toEqual({ silver: pages, bronze: pages, distinctVersions: pages });
    }
    const json = JSON.parse(result.stdout) as { ok: boolean; summaries: { databaseKey: string; status: string; mode: string; pagesRead: number }[] };
    expect(json.ok).toBe(true);
    expect(json.summaries.map((s) => [s.databaseKey, s.status, s.mode])).toEqual(KEYS.map((k) => [k, "success", "full"]));
    expect(result.stderr).toMatch(/✓ budget_lines\s+full: 400 pages read, 400 rows upserted/);
  });

  it("marks pages that are in the trash as deleted, and restores them when they come back", async () => {
    const trashed = sandbox.store
      .pageIds(sandbox.databases.projects!.dataSourceId, { includeTrashed: true })
      .filter((id) => !sandbox.store.pageIds(sandbox.databases.projects!.dataSourceId).includes(id));
    expect(trashed.length).toBeGreaterThan(0);
    const rows = await queryFile(
      db(),
      `SELECT page_id, _is_deleted, strftime(_deleted_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS deleted_at, strftime(last_edited_time, '%Y-%m-%dT%H:%M:%S.%gZ') AS edited FROM ppm_silver.projects WHERE _is_deleted`,
    );
    expect(rows.map((r) => r.page_id).sort()).toEqual([...trashed].sort());
    for (const row of rows) expect(row.deleted_at).toBe(row.edited);
  });

  it("stores each page in bronze as Notion returned it, with relations past 25 items completed", async () => {
    const projects = sandbox.store.listPages(sandbox.databases.projects!.dataSourceId) as Record<string, any>[];
    const long = projects.filter((p) => p.properties["Budget Lines"].relation.length > 25);
    expect(long.length).toBeGreaterThan(0);
    const rows = await queryFile(db(), "SELECT page_id, page_json FROM ppm_bronze.notion_projects");
    const byId = new Map(rows.map((r) => [String(r.page_id), JSON.parse(String(r.page_json)) as Record<string, any>]));
    for (const page of long) {
      const stored = byId.get(page.id)!;
      expect(stored.properties["Budget Lines"].relation).toEqual(page.properties["Budget Lines"].relation);
      expect(stored.properties["Budget Lines"].has_more).toBe(false);
      // The rollup over the relation is the one computed over every item, not the first 25.
      expect(stored.properties["Actual Total"].rollup.number).toBeCloseTo(page.properties["Actual Total"].rollup.number, 6);
    }
  });

  it("records one sync_runs row per database and a watermark at the newest page", async () => {
    const runs = await queryFile(
      db(),
      "SELECT database_key, mode, status, pages_read, rows_upserted, notion_requests, error FROM ppm_meta.sync_runs ORDER BY database_key",
    );
    expect(runs.map((r) => [r.database_key, r.mode, r.status, r.error])).toEqual([...KEYS].sort().map((k) => [k, "full", "success", null]));
    for (const key of KEYS) {
      const watermark = JSON.parse(readFileSync(join(dir, "watermarks", `${key}.json`), "utf8")) as { lastEditedTime: string; mappingHash: string };
      // The newest live page: the trash pass marks trashed pages without moving the watermark.
      const newest = (sandbox.store.listPages(sandbox.databases[key]!.dataSourceId) as { last_edited_time: string }[])
        .map((p) => p.last_edited_time)
        .sort()
        .at(-1);
      expect(watermark.lastEditedTime).toBe(newest);
    }
  });

  it("writes nothing on a second run when nothing changed", async () => {
    const before = await counts();
    const runIds = await queryFile(db(), "SELECT DISTINCT _run_id FROM ppm_silver.projects");
    const watermarks = KEYS.map((k) => readFileSync(join(dir, "watermarks", `${k}.json`), "utf8"));
    const result = await sync("--json");
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { summaries: { mode: string; rowsUpserted: number; bronzeVersions: number }[] };
    expect(json.summaries.map((s) => [s.mode, s.rowsUpserted, s.bronzeVersions])).toEqual(KEYS.map(() => ["incremental", 0, 0]));
    expect(await counts()).toEqual(before);
    expect(await queryFile(db(), "SELECT DISTINCT _run_id FROM ppm_silver.projects")).toEqual(runIds);
    expect(KEYS.map((k) => readFileSync(join(dir, "watermarks", `${k}.json`), "utf8"))).toEqual(watermarks);
  });

  it("picks up an edit made inside the watermark's own minute, with no lookback", async () => {
    const strict = join(dir, "strict.yaml");
    writeFileSync(strict, readFileSync(MAPPING, "utf8").replace("lookback_minutes: 5", "lookback_minutes: 0"));
    const strictEnv = { ...env, MAPPING_PATH: strict };
    const projects = sandbox.store.pageIds(sandbox.databases.projects!.dataSourceId);
    clock = Date.parse("2026-11-01T10:00:10.000Z");
    sandbox.store.updatePage(projects[0]!, { Budget: { number: 111111 } });
    expect((await runCli(["sync", "--database", "projects"], strictEnv)).code).toBe(0);
    const watermark = JSON.parse(readFileSync(join(dir, "watermarks", "projects.json"), "utf8")) as { lastEditedTime: string };
    expect(watermark.lastEditedTime).toBe("2026-11-01T10:00:00.000Z");
    clock = Date.parse("2026-11-01T10:00:50.000Z");
    sandbox.store.updatePage(projects[1]!, { Budget: { number: 222222 } });
    expect((sandbox.store.getPage(projects[1]!) as { last_edited_time: string }).last_edited_time).toBe("2026-11-01T10:00:00.000Z");
    const second = await runCli(["sync", "--database", "projects"], strictEnv);
    expect(second.code, second.stderr).toBe(0);
    await expectSilverEqualsSandbox("projects");
    const rows = await queryFile(db(), `SELECT CAST(budget AS VARCHAR) AS budget FROM ppm_silver.projects WHERE page_id = '${projects[1]!}'`);
    expect(rows).toEqual([{ budget: "222222.00" }]);
  });

  it("creates no duplicates with --full, even for pages whose file URLs are re-signed on every read", async () => {
    const before = await counts();
    const result = await sync("--full", "--json");
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { summaries: { databaseKey: string; mode: string; bronzeVersions: number; rowsUpserted: number }[] };
    // The earlier budget edits changed the "Planned Total" rollup of their programs without moving the
    // programs' last_edited_time: the dependent refresh rewrote those rows in the same runs, so a full
    // run finds nothing left to write.
    expect(json.summaries.map((s) => [s.databaseKey, s.mode, s.bronzeVersions, s.rowsUpserted])).toEqual(KEYS.map((k) => [k, "full", 0, 0]));
    const after = await counts();
    expect(after).toEqual(before);
    for (const key of KEYS) {
      expect(after[key]!.silver).toBe(before[key]!.silver);
      expect(after[key]!.bronze).toBe(after[key]!.distinctVersions);
    }
    for (const key of KEYS) await expectSilverEqualsSandbox(key);
  });

  it("loses nothing when the process dies between the warehouse commit and the watermark write", async () => {
    // The state such a crash leaves: the warehouse has the batch, the watermark files are the old ones.
    const saved = join(dir, "saved-watermarks");
    cpSync(join(dir, "watermarks"), saved, { recursive: true });
    clock = Date.parse("2026-11-02T08:00:00.000Z");
    const lines = sandbox.store.pageIds(sandbox.databases.budget_lines!.dataSourceId);
    for (const id of lines.slice(0, 30)) sandbox.store.updatePage(id, { Actual: { number: 1234.56 } });
    expect((await sync("--database", "budget_lines")).code).toBe(0);
    await expectSilverEqualsSandbox("budget_lines");
    const committed = await counts();
    expect(committed.budget_lines!.bronze).toBe(committed.budget_lines!.silver + 30);
    for (const file of readdirSync(saved)) cpSync(join(saved, file), join(dir, "watermarks", file));
    const result = await sync("--database", "budget_lines", "--json");
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { summaries: { pagesRead: number; rowsUpserted: number; bronzeVersions: number }[] };
    expect(json.summaries[0]!.pagesRead).toBeGreaterThanOrEqual(30);
    expect([json.summaries[0]!.rowsUpserted, json.summaries[0]!.bronzeVersions]).toEqual([0, 0]);
    expect(await counts()).toEqual(committed);
    await expectSilverEqualsSandbox("budget_lines");
  });
});

describe("failures stay local and bad input is refused", () => {
  it("fails only the database Notion refuses, says what to do, and exits 1", async () => {
    sandbox.faults.inject({ path: `/v1/data_sources/${sandbox.databases.risks!.dataSourceId}`, status: 404, times: 1000 });
    try {
      const result = await sync("--json");
      expect(result.code).toBe(1);
      const json = JSON.parse(result.stdout) as { summaries: { databaseKey: string; status: string; error: string | null }[] };
      expect(json.summaries.filter((s) => s.status === "failed").map((s) => s.databaseKey)).toEqual(["risks"]);
      expect(json.summaries.find((s) => s.databaseKey === "risks")?.error).toMatch(/not shared with the integration/);
      expect(result.stderr).toMatch(/✗ risks/);
      const runs = await queryFile(db(), "SELECT status, error_code FROM ppm_meta.sync_runs WHERE database_key = 'risks' ORDER BY finished_at DESC LIMIT 1");
      expect(runs).toEqual([{ status: "failed", error_code: "notion_not_found" }]);
    } finally {
      sandbox.faults.clear();
    }
  });

  it("exits 2 with every config problem located, and touches nothing", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      'programs:\n  database_id: "${NOTION_NOPE_DB}"\n  columns:\n    - { notion_property: Name, column_name: "name; DROP TABLE x", column_type: STRING }\n    - { notion_property: B, column_name: b, column_type: MONEY }\n',
    );
    const fresh = join(dir, "untouched");
    const result = await runCli(["sync"], { ...env, MAPPING_PATH: bad, DUCKDB_PATH: join(fresh, "w.duckdb"), WATERMARK_DIR: join(fresh, "wm") });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad}: programs.database_id: environment variable NOTION_NOPE_DB is not set`);
    expect(result.stderr).toContain("programs.columns[0].column_name (name; DROP TABLE x)");
    expect(existsSync(fresh)).toBe(false);
  });

  it("exits 2 on unknown flags and unknown database keys", async () => {
    expect((await sync("--ful")).code).toBe(2);
    const unknown = await sync("--database", "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown database key "nope"');
  });

  it("refuses to run while another live sync holds the lock", async () => {
    const lock = join(dir, "watermarks", ".sync.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: (await import("node:os")).hostname(), runId: "other", startedAt: "2026-11-01T00:00:00Z" }));
    try {
      const result = await sync();
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`another sync holds the lock: pid ${process.pid}`);
    } finally {
      rmSync(lock);
    }
  });

  it("takes over a lock left by a process that is gone", async () => {
    const lock = join(dir, "watermarks", ".sync.lock");
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import("node:os")).hostname(), runId: "dead", startedAt: "2026-11-01T00:00:00Z" }));
    const result = await sync("--database", "programs");
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
  });

  it("writes nothing with --dry-run", async () => {
    const fresh = join(dir, "dry");
    const result = await runCli(["sync", "--dry-run", "--json"], { ...env, DUCKDB_PATH: join(fresh, "w.duckdb"), WATERMARK_DIR: join(fresh, "wm") });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(fresh)).toBe(false);
    const json = JSON.parse(result.stdout) as { summaries: { databaseKey: string; pagesRead: number }[] };
    expect(json.summaries.find((s) => s.databaseKey === "budget_lines")?.pagesRead).toBe(
      sandbox.store.pageIds(sandbox.databases.budget_lines!.dataSourceId).length,
    );
  });
});

describe("secrets", () => {
  it("never prints the token, even at trace level and when Notion refuses it", async () => {
    const traced = await sync("--database", "programs", "--json");
    const refused = await runCli(["sync", "--database", "programs"], { ...env, NOTION_TOKEN: `${TOKEN}_wrong`, LOG_LEVEL: "trace" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("NOTION_TOKEN is invalid or revoked");
    const trace = await runCli(["sync", "--database", "programs"], { ...env, LOG_LEVEL: "trace" });
    expect(trace.code).toBe(0);
    for (const output of [traced, refused, trace]) {
      expect(output.stdout + output.stderr).not.toContain(TOKEN);
    }
    const records = await queryFile(db(), "SELECT * FROM ppm_meta.sync_runs");
    expect(JSON.stringify(records, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v))).not.toContain(TOKEN);
  });
});

describe("npm run watermarks", () => {
  it("shows each watermark and resets one, making its next sync full", async () => {
    const shown = await runCli(["watermarks", "show", "--json"], env);
    expect(shown.code).toBe(0);
    type Shown = { lastEditedTime: string; runId: string; mappingHash: string } | null;
    const report = JSON.parse(shown.stdout) as { databases: { databaseKey: string; file: Shown; warehouse: Shown; agree: boolean }[]; warehouseError?: string };
    expect(report.warehouseError).toBeUndefined();
    expect(report.databases.map((w) => w.databaseKey)).toEqual(KEYS);
    // The local copy and the warehouse's agree, database by database.
    for (const d of report.databases) {
      expect(d.file, d.databaseKey).not.toBeNull();
      expect([d.warehouse?.lastEditedTime, d.agree], d.databaseKey).toEqual([d.file?.lastEditedTime, true]);
    }
    const reset = await runCli(["watermarks", "reset", "--database", "milestones"], env);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("milestones: watermark removed");
    const result = await sync("--database", "milestones", "--json");
    const json = JSON.parse(result.stdout) as { summaries: { mode: string; rowsUpserted: number }[] };
    expect(json.summaries.map((s) => [s.mode, s.rowsUpserted])).toEqual([["full", 0]]);
    expect((await runCli(["watermarks", "reset"], env)).code).toBe(2);
  });
});
