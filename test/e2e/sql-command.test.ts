import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { queryFile } from "../support/duckdb-file.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/** `npm run sql` (issue 19): the runbook's queries on the configured warehouse, nothing to install; read-only unless --write. */
let fixture: SyncFixture;
let env: Record<string, string>;

beforeAll(async () => {
  fixture = await syncFixture({ seed: 6 });
  env = fixture.env();
  const synced = await runCli(["sync", "--database", "risks"], env);
  expect(synced.code, synced.stderr).toBe(0);
}, 60_000);
afterAll(() => fixture.close());

describe("npm run sql", () => {
  it("prints a query's rows as a table", async () => {
    const result = await runCli(["sql", "SELECT database_key, status FROM ppm_meta.sync_runs ORDER BY database_key"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("database_key | status\n------------ | -------\nrisks        | success\n(1 row)\n");
  });

  it("prints JSON or CSV, alone on stdout", async () => {
    const sql = "SELECT count(*) AS n, 'a,\"b' AS text FROM ppm_silver.risks";
    const json = await runCli(["sql", "--json", sql], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ n: 100, text: 'a,"b' }]);
    const csv = await runCli(["sql", "--csv", sql], env);
    expect(csv.stdout).toBe('n,text\n100,"a,""b"\n');
  });

  it("reads the query from --file", async () => {
    const { writeFileSync } = await import("node:fs");
    const file = `${fixture.dir}/q.sql`;
    writeFileSync(file, "-- the runbook's check\nSELECT count(*) AS runs FROM ppm_meta.sync_runs;\n");
    const result = await runCli(["sql", "--json", "--file", file], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ runs: 1 }]);
  });

  it("refuses a statement that writes without --write, and runs it with", async () => {
    const refused = await runCli(["sql", "DELETE FROM ppm_meta.sync_runs"], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("DELETE writes to the warehouse: pass --write to allow it");
    const hidden = await runCli(["sql", "SELECT 1; DROP TABLE ppm_silver.risks"], env);
    expect(hidden.code).toBe(2);
    expect((await queryFile(fixture.duckdbPath, "SELECT count(*) AS n FROM ppm_silver.risks"))[0]!.n).toBe(100n);
    // A keyword inside a string or a quoted name is no write.
    const quoted = await runCli(["sql", "SELECT 'drop table x; delete' AS \"update\""], env);
    expect(quoted.code, quoted.stderr).toBe(0);
    const allowed = await runCli(["sql", "--write", "CREATE TABLE ppm_meta.notes AS SELECT 1 AS n"], env);
    expect(allowed.code, allowed.stderr).toBe(0);
    expect((await queryFile(fixture.duckdbPath, "SELECT n FROM ppm_meta.notes"))[0]!.n).toBe(1);
  });

  it("exits 1 with the engine's message for bad SQL", async () => {
    const result = await runCli(["sql", "SELECT nope FROM ppm_silver.risks"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nope/);
  });
});
