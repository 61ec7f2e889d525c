import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DATABASE_KEYS, type Sandbox } from "../../src/sandbox/index.js";
import { PROPERTY_TYPES } from "../../src/sandbox/model/types.js";
import { runCli } from "../support/cli.js";
import { queryFile } from "../support/duckdb-file.js";
import { mappingColumns } from "../support/oracle.js";
import { expectSilverEqualsSandbox } from "../support/silver-check.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";
import { addValueShowcase } from "../support/value-showcase.js";

/**
 * `mapping init` / `mapping diff` against the sandbox over HTTP (issue 19, "a mapping written for you"):
 * the draft for the seeded workspace loads, verifies and syncs every database with every property, the
 * values equal the oracle's; against the zoo (the seed plus rollups of every shape) every property type
 * gets a column; diff names new, renamed, removed and retyped properties.
 */
const TOKEN = "secret_mapping_init_Q9v4";

interface Column {
  notion_property: string;
  column_name: string;
  column_type: string;
  extract?: string;
  references?: string;
  values?: string[];
}
type Draft = Record<string, { database_id: string; data_source_id?: string; columns: Column[] }>;

/** The `NAME=id` lines `mapping init` prints, as an environment. */
function variables(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((line) => line.split("=") as [string, string]),
  );
}

/** Every property of every data source of the sandbox, by database key: name → type. */
function schemas(sandbox: Sandbox): Record<string, Record<string, string>> {
  return Object.fromEntries(
    DATABASE_KEYS.map((key) => {
      const ds = sandbox.store.dataSource(sandbox.databases[key]!.dataSourceId) as { properties: Record<string, { type: string }> };
      return [key, Object.fromEntries(Object.entries(ds.properties).map(([name, p]) => [name, p.type]))];
    }),
  );
}

async function initAndSync(fixture: SyncFixture, file: string) {
  const env = fixture.env({ MAPPING_PATH: file });
  const init = await runCli(["mapping", "init"], env);
  expect(init.code, init.stderr).toBe(0);
  const draft = parse(readFileSync(file, "utf8")) as Draft;
  const withIds = { ...env, ...variables(init.stdout) };
  const verify = await runCli(["verify", "--json"], withIds);
  expect(verify.code, verify.stdout).toBe(0);
  const sync = await runCli(["sync", "--json"], withIds, 120_000);
  expect(sync.code, sync.stderr).toBe(0);
  const run = JSON.parse(sync.stdout) as { summaries: { databaseKey: string; status: string }[] };
  return { init, draft, env: withIds, run };
}

describe("mapping init against the seeded workspace", () => {
  let fixture: SyncFixture;
  let result: Awaited<ReturnType<typeof initAndSync>>;
  const file = () => join(fixture.dir, "config", "notion_mapping.yaml");

  beforeAll(async () => {
    fixture = await syncFixture({ seed: 6, token: TOKEN });
    result = await initAndSync(fixture, file());
  }, 240_000);
  afterAll(() => fixture.close());

  it("writes a draft with a database per data source, its ids as ${VAR}s and the variables on stdout", () => {
    const { init, draft } = result;
    expect(Object.keys(draft).sort()).toEqual([...DATABASE_KEYS].sort());
    for (const key of DATABASE_KEYS) {
      expect(draft[key]!.database_id).toBe(`\${NOTION_${key.toUpperCase()}_DB}`);
      expect(variables(init.stdout)[`NOTION_${key.toUpperCase()}_DB`]).toBe(fixture.sandbox.databases[key]!.databaseId);
    }
    expect(init.stdout + init.stderr).not.toContain(TOKEN);
    const text = readFileSync(file(), "utf8");
    expect(text).toContain('# Notion data source "Budget Lines"');
    expect(text).toContain('- notion_property: "Budget"  # number (dollar: money)');
  });

  it("maps every property to a uniquely named column, typed from its Notion type", () => {
    const { draft } = result;
    const notion = schemas(fixture.sandbox);
    for (const key of DATABASE_KEYS) {
      const columns = draft[key]!.columns;
      expect(new Set(columns.map((c) => c.notion_property))).toEqual(new Set(Object.keys(notion[key]!)));
      const names = columns.map((c) => c.column_name);
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
    }
    const column = (key: string, property: string, extract?: string) =>
      draft[key]!.columns.find((c) => c.notion_property === property && c.extract === extract);
    expect(column("projects", "Budget")).toMatchObject({ column_type: "DECIMAL(18,2)" });
    expect(column("projects", "Complete")).toMatchObject({ column_type: "DOUBLE" });
    expect(column("projects", "Kickoff")).toMatchObject({ column_type: "TIMESTAMP" });
    expect(column("projects", "Due")).toMatchObject({ column_type: "DATE" });
    expect(column("programs", "Timeline", "end")).toMatchObject({ column_name: "timeline_end", column_type: "DATE" });
    expect(column("projects", "Budget Lines")).toMatchObject({ column_name: "budget_line_ids", column_type: "ARRAY<STRING>", references: "budget_lines" });
    expect(column("programs", "Owner")).toMatchObject({ column_name: "owner_ids", column_type: "ARRAY<STRING>" });
    expect(column("projects", "Priority")).toMatchObject({ column_type: "STRING", values: ["P0", "P1", "P2", "P3"] });
    expect(column("programs", "Status")).toMatchObject({ column_type: "STRING", values: ["Planning", "Active", "On Hold", "Closed"] });
    expect(column("projects", "Over Budget")).toMatchObject({ column_type: "BOOLEAN" });
    expect(column("projects", "Health")).toMatchObject({ column_type: "STRING" });
    expect(column("projects", "Next Review")).toMatchObject({ column_type: "DATE" });
    expect(column("programs", "Planned Total")).toMatchObject({ column_type: "DECIMAL(18,2)" });
    expect(column("programs", "Latest Due")).toMatchObject({ column_type: "DATE" });
    expect(column("programs", "Project Statuses")).toMatchObject({ column_type: "ARRAY<STRING>" });
    expect(column("programs", "Program ID")).toMatchObject({ column_type: "STRING" });
    expect(column("risks", "Identified")).toMatchObject({ column_type: "TIMESTAMP" });
  });

  it("verifies and syncs every database: silver holds every page, every value as the oracle reads it", async () => {
    expect(result.run.summaries.map((s) => [s.databaseKey, s.status])).toEqual([...DATABASE_KEYS].sort().map((k) => [k, "success"]));
    const columns = mappingColumns(file());
    for (const key of DATABASE_KEYS) {
      const [row] = await queryFile(fixture.duckdbPath, `SELECT count(*) AS n FROM ppm_silver.${key} WHERE NOT _is_deleted`);
      expect(Number(row!.n), key).toBe(fixture.sandbox.store.pageIds(fixture.sandbox.databases[key]!.dataSourceId).length);
      await expectSilverEqualsSandbox(fixture.sandbox, fixture.duckdbPath, key, columns[key]!);
    }
  });

  it("never overwrites an existing mapping without --force", async () => {
    const before = readFileSync(file(), "utf8");
    const again = await runCli(["mapping", "init"], result.env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${file()} exists; give --force`);
    expect(readFileSync(file(), "utf8")).toBe(before);
    const forced = await runCli(["mapping", "init", "--force", "--emails"], result.env);
    expect(forced.code, forced.stderr).toBe(0);
    const draft = parse(readFileSync(file(), "utf8")) as Draft;
    expect(draft.programs!.columns.find((c) => c.extract === "email")).toMatchObject({ column_name: "owner_emails", column_type: "ARRAY<STRING>" });
    writeFileSync(file(), before);
  });

  it("takes --database URL|ID: only those data sources, references only to what is in the mapping", async () => {
    const out = join(fixture.dir, "projects.yaml");
    const url = `https://www.notion.so/northwind/Projects-${fixture.sandbox.databases.projects!.databaseId.replaceAll("-", "")}?v=1`;
    const init = await runCli(["mapping", "init", "--database", url, fixture.sandbox.databases.budget_lines!.databaseId, "--out", out], result.env);
    expect(init.code, init.stderr).toBe(0);
    const draft = parse(readFileSync(out, "utf8")) as Draft;
    expect(Object.keys(draft)).toEqual(["budget_lines", "projects"]);
    const relations = draft.projects!.columns.filter((c) => ["Program", "Budget Lines"].includes(c.notion_property));
    expect(relations.map((c) => [c.column_name, c.references])).toEqual([
      ["program_ids", undefined],
      ["budget_line_ids", "budget_lines"],
    ]);
    const bad = await runCli(["mapping", "init", "--database", "not-an-id", "--out", join(fixture.dir, "x.yaml")], result.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--database "not-an-id" is not a Notion database id or URL');
    expect(existsSync(join(fixture.dir, "x.yaml"))).toBe(false);
  });

  it("mapping diff: no change, then the new, renamed, removed and retyped properties; verify lists the unmapped", async () => {
    const clean = await runCli(["mapping", "diff"], result.env);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toBe("no change: the mapping maps every property of its 5 databases\n");
    const { store, databases } = fixture.sandbox;
    store.updateDataSource(databases.risks!.dataSourceId, {
      properties: { Mitigation: null, Severity: { name: "Severity Level" }, "Review Notes": { rich_text: {} } },
    });
    store.updateDataSource(databases.programs!.dataSourceId, { properties: { Budget: { type: "rich_text", rich_text: {} } } });
    const diff = await runCli(["mapping", "diff", "--json"], result.env);
    expect(diff.code).toBe(1);
    const changes = (JSON.parse(diff.stdout) as { changes: Record<string, unknown>[] }).changes;
    expect(changes).toEqual(
      expect.arrayContaining([
        { database: "programs", kind: "retyped", property: "Budget", type: "rich_text", columns: ["budget (DECIMAL(18,2))"] },
        { database: "risks", kind: "removed", property: "Mitigation", columns: ["mitigation"] },
        { database: "risks", kind: "renamed", property: "Severity", to: "Severity Level", columns: ["severity"] },
        { database: "risks", kind: "new", property: "Review Notes", type: "rich_text" },
      ]),
    );
    expect(changes).toHaveLength(4);
    const lines = await runCli(["mapping", "diff"], result.env);
    expect(lines.stdout).toContain('risks: new      "Review Notes" (rich_text) is not mapped');
    // verify, as information: what the (shipped) mapping leaves out is listed, and the check still passes.
    store.updateDataSource(databases.milestones!.dataSourceId, { properties: { "Sign-off Notes": { rich_text: {} } } });
    const verify = await runCli(["verify", "--json"], { ...result.env, MAPPING_PATH: "config/notion_mapping.yaml" });
    const checks = (JSON.parse(verify.stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks;
    expect(checks.find((c) => c.name === "milestones: properties")).toMatchObject({
      ok: true,
      detail: expect.stringContaining('not mapped (not copied): "Sign-off Notes" (npm run mapping -- diff)'),
    });
  });
});

describe("mapping init against the zoo of every property type", () => {
  let fixture: SyncFixture;
  let result: Awaited<ReturnType<typeof initAndSync>>;

  beforeAll(async () => {
    fixture = await syncFixture({ seed: 2, token: TOKEN });
    addValueShowcase(fixture.sandbox);
    result = await initAndSync(fixture, join(fixture.dir, "zoo.yaml"));
  }, 240_000);
  afterAll(() => fixture.close());

  it("gives every property type a column, every rollup shape its result type, and syncs them as the oracle reads them", async () => {
    const notion = schemas(fixture.sandbox);
    const typed = new Set<string>();
    for (const key of DATABASE_KEYS) {
      const mapped = new Set(result.draft[key]!.columns.map((c) => c.notion_property));
      for (const [name, type] of Object.entries(notion[key]!)) if (mapped.has(name)) typed.add(type);
      expect([...mapped].sort()).toEqual(Object.keys(notion[key]!).sort());
    }
    expect([...typed].sort()).toEqual([...PROPERTY_TYPES].sort());
    const projects = Object.fromEntries(result.draft.projects!.columns.map((c) => [`${c.notion_property}${c.extract ? `:${c.extract}` : ""}`, c.column_type]));
    expect(projects).toMatchObject({
      "Line Names": "ARRAY<STRING>",
      "Unique Categories": "ARRAY<STRING>",
      "Median Planned": "DECIMAL(18,2)",
      "Category Count": "BIGINT",
      "Period Range": "DATE",
      "Period Range:end": "DATE",
      "Approved Share": "DOUBLE",
      "Line Count": "BIGINT",
    });
    expect(result.run.summaries.every((s) => s.status === "success")).toBe(true);
    const columns = mappingColumns(join(fixture.dir, "zoo.yaml"));
    for (const key of DATABASE_KEYS) await expectSilverEqualsSandbox(fixture.sandbox, fixture.duckdbPath, key, columns[key]!);
  });
});
