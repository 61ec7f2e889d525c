import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/**
 * The first hour of a new user (issue 19), each case as it was observed: the command, then what it
 * should have said. The output streams have their own file (output-streams.test.ts).
 */
const TOKEN = "secret_firsthour_M3k8";
let fixture: SyncFixture;

beforeAll(async () => {
  fixture = await syncFixture({ seed: 5, token: TOKEN });
});
afterAll(() => fixture.close());

/** A port that refuses connections: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("only what the command needs", () => {
  it("syncs `--database programs` with only NOTION_PROGRAMS_DB set", async () => {
    const env: Record<string, string> = fixture.env();
    for (const key of ["PROJECTS", "BUDGET_LINES", "MILESTONES", "RISKS"]) delete env[`NOTION_${key}_DB`];
    const result = await runCli(["sync", "--database", "programs", "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { summaries: { databaseKey: string; status: string }[] };
    expect(json.summaries.map((s) => [s.databaseKey, s.status])).toEqual([["programs", "success"]]);
    // The others are still required when they are synced, named with the database that uses them.
    const all = await runCli(["sync"], env);
    expect(all.code).toBe(2);
    expect(all.stderr).toContain('environment variable NOTION_PROJECTS_DB is not set (used by "projects")');
  });
});

describe("failures that say the right thing", () => {
  it("fails within seconds when NOTION_BASE_URL refuses connections, and attempts no other database", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const started = Date.now();
    const result = await runCli(["sync", "--json"], fixture.env({ NOTION_BASE_URL: url }), 60_000);
    const elapsedMs = Date.now() - started;
    expect(result.code).toBe(1);
    expect(elapsedMs).toBeLessThan(20_000);
    const json = JSON.parse(result.stdout) as { summaries: { databaseKey: string; status: string; error: string | null }[] };
    const failed = json.summaries.filter((s) => s.status === "failed");
    expect(failed.length).toBe(1);
    expect(failed[0]!.error).toContain(`cannot reach Notion at ${url}`);
    expect(failed[0]!.error).toContain("NOTION_BASE_URL");
    const rest = json.summaries.filter((s) => s.status !== "failed");
    expect(rest.length).toBe(4);
    for (const s of rest) expect(s).toMatchObject({ status: "skipped", error: expect.stringContaining(`cannot reach Notion at ${url}`) });
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  }, 90_000);

  it("has verify point at NOTION_BASE_URL and the network, not the token, for a connection refused", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await runCli(["verify", "--json"], fixture.env({ NOTION_BASE_URL: url }), 60_000);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] };
    const token = report.checks.find((c) => c.name === "notion token")!;
    expect(token.ok).toBe(false);
    expect(token.detail).toContain(`cannot reach Notion at ${url}`);
    expect(token.fix).toContain("NOTION_BASE_URL");
    expect(`${token.detail} ${token.fix}`).not.toMatch(/new integration token/);
  }, 90_000);

  it("suggests the flag meant by a misspelt one", async () => {
    const result = await runCli(["sync", "--databse", "programs"], fixture.env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option "--databse" (did you mean --database?)');
  });

  it("says a --dry-run wrote nothing", async () => {
    const result = await runCli(["sync", "--database", "risks", "--full", "--dry-run"], fixture.env());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ risks\s+full \(dry run\): \d+ pages read, \d+ rows would be upserted, \d+ would be quarantined, nothing written/);
    expect(result.stdout).not.toMatch(/rows upserted/);
  });

  it("names a missing column_type and what it may be", async () => {
    const mapping = join(fixture.dir, "no-type.yaml");
    writeFileSync(mapping, 'risks:\n  database_id: "${NOTION_RISKS_DB}"\n  columns:\n    - notion_property: "Risk"\n      column_name: "risk"\n');
    const result = await runCli(["sync"], fixture.env({ MAPPING_PATH: mapping }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("risks.columns[0].column_type (risk)");
    expect(result.stderr).toMatch(/is missing: a column type \(STRING, INT, BIGINT, DOUBLE, DECIMAL\(p,s\), BOOLEAN, DATE, TIMESTAMP, ARRAY<STRING>\)/);
    expect(result.stderr).not.toContain("received undefined");
  });

  it("names PORT when the worker's port is taken", async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "0.0.0.0", resolve));
    const { port } = busy.address() as { port: number };
    try {
      const result = await runCli(
        ["start"],
        fixture.env({ PORT: String(port), SYNC_ON_START: "false", DUCKDB_PATH: join(fixture.dir, "port.duckdb") }),
        30_000,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} is already in use (PORT=${port})`);
    } finally {
      busy.close();
    }
  });
});
