import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { watermarkMismatches } from "../../src/pipeline/index.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { createWarehouse } from "../../src/warehouse/index.js";
import { runCli } from "../support/cli.js";
import { queryFile } from "../support/duckdb-file.js";
import { mappingColumns } from "../support/oracle.js";
import { expectSilverEqualsSandbox } from "../support/silver-check.js";

/**
 * State travels with the data: the warehouse holds each database's watermark (`ppm_meta.watermarks`),
 * `watermarks/` the local copy, and a database syncs incrementally only when both exist and agree.
 * Every case runs the real CLI against the sandbox over HTTP, on DuckDB files read back afterwards.
 */
const TOKEN = "secret_state_Wk3r9";
const KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"];
let sandbox: Sandbox;
let root: string;
let dir: string;
let env: Record<string, string>;
let clock = Date.parse("2026-11-01T10:00:10.000Z");
const db = () => join(dir, "w.duckdb");
const wm = () => join(dir, "watermarks");

interface Summary {
  databaseKey: string;
  mode: string;
  pagesRead: number;
  status: string;
}
async function sync(...args: string[]): Promise<Map<string, Summary>> {
  const result = await runCli(["sync", "--json", ...args], env);
  expect(result.code, result.stderr).toBe(0);
  const json = JSON.parse(result.stdout) as { summaries: Summary[] };
  return new Map(json.summaries.map((s) => [s.databaseKey, s]));
}
const modes = (summaries: Map<string, Summary>) => Object.fromEntries([...summaries].map(([k, s]) => [k, s.mode]));
async function expectCopyExact(): Promise<void> {
  const columns = mappingColumns("config/notion_mapping.yaml");
  for (const key of KEYS) await expectSilverEqualsSandbox(sandbox, db(), key, columns[key]!);
}
async function duck(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(db());
  const connection = await instance.connect();
  await connection.run(sql);
  connection.closeSync();
  instance.closeSync();
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 2, scale: 120, token: TOKEN, now: () => clock });
  root = mkdtempSync(join(tmpdir(), "nds-state-"));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(root, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = mkdtempSync(join(root, "case-"));
  env = { ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: wm(), NOTION_RPS: "300", NOTION_BURST: "50" };
  const first = await sync();
  expect(Object.values(modes(first)).every((m) => m === "full")).toBe(true);
  clock += 60_000;
});

describe("a watermark never outlives its data", () => {
  it("keeps both copies in step: the next run is incremental", async () => {
    const rows = await queryFile(
      db(),
      "SELECT database_key, strftime(last_edited_time, '%Y-%m-%dT%H:%M:%S.000Z') AS t FROM ppm_meta.watermarks ORDER BY database_key",
    );
    const files = Object.fromEntries(
      KEYS.map((k) => [k, (JSON.parse(readFileSync(join(wm(), `${k}.json`), "utf8")) as { lastEditedTime: string }).lastEditedTime]),
    );
    expect(Object.fromEntries(rows.map((r) => [r.database_key, r.t]))).toEqual(files);
    expect(Object.values(modes(await sync())).every((m) => m === "incremental")).toBe(true);
  });

  it("reads every database in full into a fresh warehouse file, whatever the old watermark files say", async () => {
    rmSync(db());
    const after = await sync();
    expect(modes(after)).toEqual(Object.fromEntries(KEYS.map((k) => [k, "full"])));
    expect(after.get("budget_lines")!.pagesRead).toBe(sandbox.store.pageIds(sandbox.databases.budget_lines!.dataSourceId, { includeTrashed: false }).length);
    await expectCopyExact();
  });

  it("reads a database in full when its local watermark is gone, or its silver table was dropped", async () => {
    rmSync(join(wm(), "risks.json"));
    await duck("DROP TABLE ppm_silver.milestones");
    const after = await sync();
    expect(modes(after)).toEqual({ programs: "incremental", projects: "incremental", budget_lines: "incremental", milestones: "full", risks: "full" });
    await expectCopyExact();
  });

  it("reads all in full when the whole watermarks directory is gone", async () => {
    rmSync(wm(), { recursive: true });
    expect(Object.values(modes(await sync())).every((m) => m === "full")).toBe(true);
    await expectCopyExact();
  });

  it("reads from the older copy when they differ, and resets both", async () => {
    const file = join(wm(), "projects.json");
    const older = { ...JSON.parse(readFileSync(file, "utf8")), lastEditedTime: "2026-01-01T00:00:00.000Z" };
    writeFileSync(file, JSON.stringify(older));
    const shown = JSON.parse((await runCli(["watermarks", "show", "--json", "--database", "projects"], env)).stdout) as { databases: { agree: boolean }[] };
    expect(shown.databases[0]!.agree).toBe(false);
    const verify = await runCli(["verify"], env);
    expect(verify.stdout).toMatch(/✗ watermarks: projects: the local copy \(2026-01-01T00:00:00.000Z\) and the warehouse's \(.+\) differ/);
    // The worker's start says it too, on the session it opens anyway.
    const config = loadConfig({ env, requireToken: true });
    const warehouse = await createWarehouse(config.warehouse);
    try {
      const differ = await watermarkMismatches(warehouse.sql, config);
      expect(differ).toHaveLength(1);
      expect(differ[0]).toMatch(
        /^projects: the local watermark \(2026-01-01T00:00:00.000Z\) and the warehouse's \(.+\) differ; its next sync reads from the older$/,
      );
    } finally {
      await warehouse.close();
    }
    const after = await sync("--database", "projects");
    expect(after.get("projects")!.mode).toBe("incremental");
    expect(after.get("projects")!.pagesRead).toBeGreaterThan(1);
    const reset = await runCli(["watermarks", "reset", "--all"], env);
    expect(reset.code, reset.stderr).toBe(0);
    expect(await queryFile(db(), "SELECT count(*) AS n FROM ppm_meta.watermarks")).toEqual([{ n: 0n }]);
    expect(Object.values(modes(await sync())).every((m) => m === "full")).toBe(true);
  });

  it("adopts the files once in a warehouse that predates the watermarks table, so an upgrade does not resync", async () => {
    await duck("DROP TABLE ppm_meta.watermarks");
    const saved = join(dir, "kept");
    cpSync(wm(), saved, { recursive: true });
    const after = await sync();
    expect(Object.values(modes(after)).every((m) => m === "incremental")).toBe(true);
    expect(await queryFile(db(), "SELECT count(*) AS n FROM ppm_meta.watermarks")).toEqual([{ n: 5n }]);
  });
});
