import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/** npm run verify against the sandbox: a good setup passes; each broken one is named with a fix. */
let fixture: SyncFixture;
const TOKEN = "secret_verify_7Hq2";

beforeAll(async () => {
  fixture = await syncFixture({ seed: 8, token: TOKEN });
});
afterAll(() => fixture.close());

interface Report {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string; fix?: string }[];
}
async function verify(env: Record<string, string>): Promise<{ code: number | null; report: Report; stderr: string }> {
  const result = await runCli(["verify", "--json"], env);
  expect(result.stdout + result.stderr).not.toContain(TOKEN);
  return { code: result.code, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}
const failed = (report: Report) => report.checks.filter((c) => !c.ok);

describe("npm run verify", () => {
  it("passes a working setup, one line per check", async () => {
    const { code, report, stderr } = await verify(fixture.env());
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(["mapping", "environment", "notion token", "risks: access", "risks: properties", "warehouse", "watermark directory", "run lock"]),
    );
    expect(stderr).toContain("✓ notion token: accepted");
  });

  it("names a missing variable", async () => {
    const env = fixture.env();
    delete (env as Record<string, string | undefined>).NOTION_RISKS_DB;
    const { code, report } = await verify(env);
    expect(code).toBe(1);
    expect(failed(report)[0]).toMatchObject({ name: "environment", detail: expect.stringContaining("NOTION_RISKS_DB is not set") });
  });

  it("catches a bad token", async () => {
    const { code, report } = await verify(fixture.env({ NOTION_TOKEN: "secret_wrong" }));
    expect(code).toBe(1);
    expect(failed(report)[0]).toMatchObject({ name: "notion token", fix: expect.stringContaining("NOTION_TOKEN") });
  });

  it("catches an unshared database, a missing property and a type mismatch, database by database", async () => {
    const { sandbox } = fixture;
    sandbox.faults.inject({
      path: new RegExp(`${sandbox.databases.milestones!.databaseId}|${sandbox.databases.milestones!.dataSourceId}`),
      status: 404,
      times: 100,
    });
    sandbox.store.updateDataSource(sandbox.databases.risks!.dataSourceId, { properties: { Mitigation: null } });
    sandbox.store.updateDataSource(sandbox.databases.programs!.dataSourceId, { properties: { Budget: { type: "rich_text", rich_text: {} } } });
    try {
      const { code, report } = await verify(fixture.env());
      expect(code).toBe(1);
      expect(failed(report).map((c) => c.name)).toEqual(["programs: properties", "milestones: access", "risks: properties"]);
      const [program, milestone, risk] = failed(report);
      expect(program!.detail).toContain('"Budget" is a rich_text property, which cannot fill column total_budget (DECIMAL(18,2))');
      expect(milestone!.fix).toContain("share the database with the integration");
      expect(risk!.detail).toContain('Notion property "Mitigation" (column mitigation');
    } finally {
      sandbox.faults.clear();
    }
  });

  it("catches a DuckDB path that cannot be created, without creating anything", async () => {
    const { code, report } = await verify(fixture.env({ DUCKDB_PATH: "/proc/nds-verify/w.duckdb", WATERMARK_DIR: join(fixture.dir, "not-yet", "wm") }));
    expect(code).toBe(1);
    expect(report.checks.find((c) => c.name === "warehouse")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("cannot create the DuckDB file /proc/nds-verify/w.duckdb"),
    });
    expect(report.checks.find((c) => c.name === "watermark directory")).toMatchObject({ ok: true, detail: expect.stringContaining("can be created") });
    expect(existsSync(join(fixture.dir, "not-yet"))).toBe(false);
  });

  it("catches an unreachable warehouse and a held lock", async () => {
    const holder = await DuckDBInstance.create(fixture.duckdbPath);
    mkdirSync(join(fixture.dir, "wm"), { recursive: true });
    writeFileSync(
      join(fixture.dir, "wm", ".sync.lock"),
      JSON.stringify({ pid: process.pid, host: hostname(), runId: "other", startedAt: "2026-11-01T00:00:00Z" }),
    );
    try {
      const { code, report } = await verify(fixture.env());
      expect(code).toBe(1);
      const names = failed(report).map((c) => c.name);
      expect(names).toContain("warehouse");
      expect(names).toContain("run lock");
      expect(failed(report).find((c) => c.name === "warehouse")!.fix).toContain("DUCKDB_PATH");
    } finally {
      holder.closeSync();
    }
  });
});
