import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runCli } from "../support/cli.js";
import { queryFile } from "../support/duckdb-file.js";
import { mappingColumns } from "../support/oracle.js";
import { expectSilverEqualsSandbox } from "../support/silver-check.js";

/**
 * Silver is a function of bronze and the mapping: `rebuild` re-derives it from the newest bronze
 * versions with no Notion request, and a sync whose mapping changed does the same by itself when
 * bronze holds what the change reads. Every case runs the real CLI against the sandbox over HTTP and
 * compares whole tables: with the sandbox's pages (the oracle), or with a fresh full sync of the
 * same mapping into a file of its own.
 */
const MAPPING = readFileSync("config/notion_mapping.yaml", "utf8");
const PHONE = `    - notion_property: "Phone"\n      column_name: "contact_phone"\n      column_type: "STRING"\n`;
const ACTUAL_TOTAL = `    - notion_property: "Actual Total"\n      column_name: "actual_total"\n      column_type: "DECIMAL(18,2)"\n`;
/** The project mapping before the change: projects without the column `contact_phone`. */
const WITHOUT_COLUMN = MAPPING.replace(PHONE, "");
let sandbox: Sandbox;
let root: string;
let dir: string;
const clock = Date.parse("2026-11-01T10:00:10.000Z");

const envFor = (name: string, mapping: string): Record<string, string> => {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, mapping);
  return {
    ...sandbox.env(),
    MAPPING_PATH: path,
    DUCKDB_PATH: join(dir, `${name}.duckdb`),
    WATERMARK_DIR: join(dir, `${name}-watermarks`),
    NOTION_RPS: "300",
    NOTION_BURST: "50",
  };
};
/** The same warehouse and state, another mapping. */
const withMapping = (env: Record<string, string>, mapping: string) => {
  writeFileSync(env.MAPPING_PATH!, mapping);
  return env;
};
async function cli(args: string[], env: Record<string, string>, code = 0) {
  const result = await runCli([...args, "--json"], env);
  expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(code);
  return { ...result, json: JSON.parse(result.stdout || "null") as Record<string, any> };
}
/** A silver table as data: every column but those a run stamps (`_synced_at`, `_run_id`) and the change detector. */
const silverOf = (env: Record<string, string>, key: string) =>
  queryFile(env.DUCKDB_PATH!, `SELECT * EXCLUDE (_synced_at, _run_id, _row_hash) FROM ppm_silver.${key} ORDER BY page_id`);
const quarantinedOf = (env: Record<string, string>, key: string, runId: string) =>
  queryFile(
    env.DUCKDB_PATH!,
    `SELECT page_id, column_name, rule, value FROM ppm_meta.quarantine WHERE database_key = '${key}' AND run_id = '${runId}' ORDER BY ALL`,
  );

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 4, scale: 120, now: () => clock });
  root = mkdtempSync(join(tmpdir(), "nds-rebuild-"));
});
afterAll(async () => {
  await sandbox.close();
  rmSync(root, { recursive: true, force: true });
});
let env: Record<string, string>;
beforeEach(async () => {
  dir = mkdtempSync(join(root, "case-"));
  env = envFor("w", WITHOUT_COLUMN);
  await cli(["sync"], env);
});

describe("rebuild: silver from bronze, no Notion request", () => {
  it("fills a column added to the mapping, with silver equal to the sandbox, and the next sync stays incremental", async () => {
    const before = sandbox.requests.length;
    const { json } = await cli(["rebuild", "--database", "projects"], withMapping(env, MAPPING));
    expect(sandbox.requests.length - before, "Notion requests during the rebuild").toBe(0);
    expect(json.databases).toMatchObject([{ ok: true, databaseKey: "projects", pages: expect.any(Number), keptDeleted: 0 }]);
    expect(json.databases[0].rows).toBe(json.databases[0].pages);
    await expectSilverEqualsSandbox(sandbox, env.DUCKDB_PATH!, "projects", mappingColumns("config/notion_mapping.yaml").projects!);

    const next = await cli(["sync", "--database", "projects"], env);
    expect(next.json.summaries[0]).toMatchObject({ mode: "incremental", status: "success", rowsUpserted: 0 });
  });

  it("is what a sync does by itself when the mapping changed and bronze holds the property", async () => {
    const { json } = await cli(["sync", "--database", "projects"], withMapping(env, MAPPING));
    expect(json.summaries[0]).toMatchObject({ mode: "incremental", status: "success" });
    // Not a full re-read: at most what the lookback window holds.
    const rows = (await silverOf(env, "projects")).length;
    expect(json.summaries[0].pagesRead).toBeLessThan(rows / 4);
    await expectSilverEqualsSandbox(sandbox, env.DUCKDB_PATH!, "projects", mappingColumns("config/notion_mapping.yaml").projects!);
  });

  it("re-applies a changed rule exactly as a fresh full sync does, quarantine rows included", async () => {
    const ruled = WITHOUT_COLUMN.replace('values: ["P0", "P1", "P2", "P3"]', 'values: ["P0", "P1"]').replace(
      '      column_type: "DECIMAL(18,2)"\n      required: true\n      min: 0\n',
      '      column_type: "DECIMAL(18,2)"\n      required: true\n      min: 250000\n',
    );
    expect(ruled).not.toBe(WITHOUT_COLUMN);
    const rebuilt = await cli(["rebuild", "--database", "projects"], withMapping(env, ruled));
    const fresh = envFor("fresh", ruled);
    const full = await cli(["sync", "--database", "projects"], fresh);
    const silver = await silverOf(env, "projects");
    expect(silver.length).toBeGreaterThan(0);
    expect(silver).toEqual(await silverOf(fresh, "projects"));
    const problems = await quarantinedOf(env, "projects", rebuilt.json.runId);
    for (const rule of ["values", "min"])
      expect(
        problems.some((p) => p.rule === rule),
        `a ${rule} violation`,
      ).toBe(true);
    expect(problems).toEqual(await quarantinedOf(fresh, "projects", full.json.runId));
  });

  it("replaces a column whose type changed only when asked by name, and then equals a fresh full sync", async () => {
    const retyped = WITHOUT_COLUMN.replace('column_name: "spent"\n      column_type: "DECIMAL(18,2)"', 'column_name: "spent"\n      column_type: "DOUBLE"');
    expect(retyped).not.toBe(WITHOUT_COLUMN);
    withMapping(env, retyped);
    const refused = await cli(["sync", "--database", "projects"], env, 1);
    expect(refused.json.summaries[0].error).toContain("spent is DECIMAL(18,2) in the warehouse but DOUBLE in the mapping");
    expect(refused.json.summaries[0].error).toContain("npm run rebuild -- --database KEY --replace-column spent");
    const unasked = await cli(["rebuild", "--database", "projects"], env, 1);
    expect(unasked.json.databases[0].error).toContain("add --replace-column spent");
    expect(unasked.stderr).toContain("✗ projects");

    await cli(["rebuild", "--database", "projects", "--replace-column", "spent"], env);
    const types = await queryFile(
      env.DUCKDB_PATH!,
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'projects' AND column_name = 'spent'",
    );
    expect(types).toEqual([{ column_name: "spent", data_type: "DOUBLE" }]);
    const fresh = envFor("fresh", retyped);
    await cli(["sync", "--database", "projects"], fresh);
    expect(await silverOf(env, "projects")).toEqual(await silverOf(fresh, "projects"));
    expect((await cli(["sync", "--database", "projects"], env)).json.summaries[0]).toMatchObject({ mode: "incremental", status: "success" });
  });

  it("names a property bronze is not known to hold, and leaves silver as it was", async () => {
    const before = await silverOf(env, "projects");
    expect(WITHOUT_COLUMN).toContain('    - notion_property: "Contact"');
    const unknown = WITHOUT_COLUMN.replace(
      '    - notion_property: "Contact"',
      '    - notion_property: "Vendor"\n      column_name: "vendor"\n      column_type: "STRING"\n    - notion_property: "Contact"',
    );
    const { json } = await cli(["rebuild", "--database", "projects", "programs"], withMapping(env, unknown), 1);
    expect(json.databases.map((d: { databaseKey: string; ok: boolean }) => [d.databaseKey, d.ok])).toEqual([
      ["programs", true],
      ["projects", false],
    ]);
    expect(json.databases[1].error).toContain('bronze is not known to hold Notion property "Vendor" (column vendor)');
    expect(json.databases[1].error).toContain("npm run sync -- --database projects --full");
    expect(await silverOf(env, "projects")).toEqual(before);
  });
  it("refuses where the warehouse does not hold what the watermark describes (a replaced file), naming the full sync it needs", async () => {
    rmSync(env.DUCKDB_PATH!, { force: true });
    rmSync(`${env.DUCKDB_PATH!}.wal`, { force: true });
    const { json } = await cli(["rebuild", "--database", "projects"], env, 1);
    expect(json.databases[0].error).toContain('"projects" needs a full sync, not a rebuild');
    expect(json.databases[0].error).toContain("npm run sync -- --database projects");
    const next = await cli(["sync", "--database", "projects"], env);
    expect(next.json.summaries[0]).toMatchObject({ mode: "full", status: "success" });
  });
  it("reads a newly mapped rollup from Notion, since nothing kept its bronze value fresh while it was unmapped", async () => {
    // Mapped from the start without actual_total: budget-line edits since then never re-read their project.
    const withoutRollup = envFor("rollup", MAPPING.replace(ACTUAL_TOTAL, ""));
    await cli(["sync", "--database", "projects"], withoutRollup);
    const refused = await cli(["rebuild", "--database", "projects"], withMapping(withoutRollup, MAPPING), 1);
    expect(refused.json.databases[0].error).toContain('newly mapped rollup or formula "Actual Total"');
    expect(refused.json.databases[0].error).toContain("npm run sync -- --database projects --full");
    const { json } = await cli(["sync", "--database", "projects"], withoutRollup);
    expect(json.summaries[0]).toMatchObject({ mode: "full", status: "success" });
    await expectSilverEqualsSandbox(sandbox, withoutRollup.DUCKDB_PATH!, "projects", mappingColumns("config/notion_mapping.yaml").projects!);
  });
});
