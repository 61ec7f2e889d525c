import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseMapping, type ConfigIssue } from "../../src/config/index.js";

const SHIPPED_ENV = {
  NOTION_PROGRAMS_DB: "842a0286cef046a8abbaeac4c8ca644e",
  NOTION_PROJECTS_DB: "https://www.notion.so/acme/Projects-942a0286cef046a8abbaeac4c8ca644f?v=123",
  NOTION_BUDGET_LINES_DB: "a42a0286-cef0-46a8-abba-eac4c8ca6440",
  NOTION_MILESTONES_DB: "b42a0286cef046a8abbaeac4c8ca6441",
  NOTION_RISKS_DB: "c42a0286cef046a8abbaeac4c8ca6442",
};

function issuesOf(text: string, env: Record<string, string> = {}): ConfigIssue[] {
  try {
    parseMapping(text, "m.yaml", env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error("expected a ConfigError");
}

describe("the shipped mapping", () => {
  it("parses with every database's variable set, normalizing ids and URLs", () => {
    const config = loadConfig({ env: { ...SHIPPED_ENV, NOTION_TOKEN: "secret_x" }, requireToken: true });
    expect(config.mapping.databases.map((d) => d.key)).toEqual(["programs", "projects", "budget_lines", "milestones", "risks"]);
    expect(config.mapping.databases[0]?.databaseId).toBe("842a0286-cef0-46a8-abba-eac4c8ca644e");
    expect(config.mapping.databases[1]?.databaseId).toBe("942a0286-cef0-46a8-abba-eac4c8ca644f");
    expect(config.mapping.settings.lookback_minutes).toBe(5);
    const budget = config.mapping.databases[0]?.columns.find((c) => c.name === "total_budget");
    expect(budget?.type).toEqual({ kind: "decimal", precision: 18, scale: 2 });
    expect(budget?.line).toBeGreaterThan(1);
  });

  it("names every unset variable with the database that uses it", () => {
    let error: unknown;
    try {
      loadConfig({ env: { NOTION_TOKEN: "secret_x", NOTION_PROGRAMS_DB: SHIPPED_ENV.NOTION_PROGRAMS_DB }, requireToken: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const messages = (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual([
      'projects.database_id: environment variable NOTION_PROJECTS_DB is not set (used by "projects")',
      'budget_lines.database_id: environment variable NOTION_BUDGET_LINES_DB is not set (used by "budget_lines")',
      'milestones.database_id: environment variable NOTION_MILESTONES_DB is not set (used by "milestones")',
      'risks.database_id: environment variable NOTION_RISKS_DB is not set (used by "risks")',
    ]);
  });

  it("gives the mapping hash of a database independent of other databases and stable across loads", () => {
    const a = loadConfig({ env: SHIPPED_ENV, requireToken: false });
    const b = loadConfig({ env: SHIPPED_ENV, requireToken: false });
    expect(a.mapping.databases.map((d) => d.mappingHash)).toEqual(b.mapping.databases.map((d) => d.mappingHash));
    expect(new Set(a.mapping.databases.map((d) => d.mappingHash)).size).toBe(5);
  });
});

describe("mapping errors are collected together and located", () => {
  it("reports YAML aliases that expand without bound (a billion laughs) as a config error of the file", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (const [i, name] of ["b", "c", "d", "e", "f"].entries()) levels.push(`${name}: &${name} [${Array(9).fill(`*${"abcdef"[i]}`).join(", ")}]`);
    const issues = issuesOf(`${levels.join("\n")}\n`);
    expect(issues).toEqual([{ source: "m.yaml", path: "", message: expect.stringMatching(/^YAML aliases expand too much: Excessive alias count/) }]);
  });

  it("never reads a secret variable into the mapping, so no error can echo it", () => {
    const token = "secret_MAPPING_must_not_leak_42";
    const issues = issuesOf(
      'risks:\n  database_id: "${NOTION_TOKEN}"\n  columns:\n    - { notion_property: Risk, column_name: title, column_type: STRING, pattern: "${DATABRICKS_TOKEN}" }\n',
      {
        NOTION_TOKEN: token,
        DATABRICKS_TOKEN: token,
      },
    );
    expect(JSON.stringify(issues)).not.toContain(token);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "risks.database_id: NOTION_TOKEN is a secret: the mapping cannot use it (its value would end up in messages and logs)",
      "risks.columns[0].pattern: DATABRICKS_TOKEN is a secret: the mapping cannot use it (its value would end up in messages and logs)",
    ]);
  });

  it("reports an unknown column type, a bad identifier, a duplicate column and an unset variable at once", () => {
    const issues = issuesOf(`
programs:
  database_id: "\${NOTION_PROGRAMS_DB}"
  columns:
    - { notion_property: Name, column_name: name, column_type: STRNG }
    - { notion_property: Code, column_name: "name; DROP TABLE x", column_type: STRING }
    - { notion_property: Other, column_name: name, column_type: INT }
`);
    expect(issues.map((i) => `${i.source} ${i.path}`)).toEqual([
      "m.yaml programs.database_id",
      "m.yaml programs.columns[1].column_name (name; DROP TABLE x)",
      "m.yaml programs.columns[0] (name).column_type",
      "m.yaml programs.columns[2] (name)",
    ]);
    expect(issues[0]?.message).toContain("NOTION_PROGRAMS_DB is not set");
    expect(issues[1]?.message).toContain("lower-case SQL identifier");
    expect(issues[2]?.message).toContain('"STRNG" is not a supported column_type');
    expect(issues[3]?.message).toBe('duplicate column_name "name" (also columns[0])');
  });

  it("reports type, duplicate and reference problems of a structurally valid database", () => {
    const issues = issuesOf(`
programs:
  database_id: "842a0286cef046a8abbaeac4c8ca644e"
  columns:
    - { notion_property: Name, column_name: name, column_type: STRNG }
    - { notion_property: Other, column_name: amount, column_type: "DECIMAL(18,2)" }
    - { notion_property: Again, column_name: amount, column_type: INT, references: nowhere }
    - { notion_property: Id, column_name: page_id, column_type: STRING }
    - { notion_property: P, column_name: p, column_type: STRING, pattern: "([a-z" }
    - { notion_property: M, column_name: m, column_type: INT, min: "low" }
`);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'programs.columns[0] (name).column_type: "STRNG" is not a supported column_type; use one of STRING, INT, BIGINT, DOUBLE, DECIMAL(p,s), BOOLEAN, DATE, TIMESTAMP, ARRAY<STRING>',
      'programs.columns[2] (amount): duplicate column_name "amount" (also columns[1])',
      'programs.columns[2] (amount).references: "nowhere" is not a database key of this mapping',
      expect.stringContaining('programs.columns[3] (page_id): column_name "page_id" is reserved'),
      expect.stringContaining("programs.columns[4] (p).pattern: is not a valid regular expression"),
      "programs.columns[5] (m).min: must be a number for INT",
    ]);
  });

  it("reports a bad column_name and a bad column_type of the same column together", () => {
    const issues = issuesOf(`
p:
  database_id: "842a0286cef046a8abbaeac4c8ca644e"
  columns:
    - { notion_property: A, column_name: 'a"; DROP TABLE x', column_type: "STRING); DROP SCHEMA y" }
`);
    expect(issues.map((i) => i.path)).toEqual(['p.columns[0].column_name (a"; DROP TABLE x)', 'p.columns[0] (a"; DROP TABLE x).column_type']);
  });

  it("rejects unknown keys (typos) in columns and settings, and bad database keys", () => {
    const issues = issuesOf(`
settings:
  lookback_minuts: 5
Programs:
  database_id: "842a0286cef046a8abbaeac4c8ca644e"
  columns: []
risks:
  database_id: "not an id"
  columns:
    - { notion_property: Name, column_name: name, column_type: STRING, requird: true }
`);
    const text = issues.map((i) => `${i.path}: ${i.message}`);
    expect(text).toContainEqual(expect.stringMatching(/^settings: .*lookback_minuts/));
    expect(text).toContainEqual(expect.stringMatching(/^Programs: database key "Programs" must be a lower-case SQL identifier/));
    expect(text).toContainEqual(expect.stringMatching(/^risks\.columns\[0\] \(name\): .*requird/));
  });

  it("gives the line and column of a YAML syntax error", () => {
    const issues = issuesOf("programs:\n  database_id: [unclosed\n  columns: x\n");
    expect(issues[0]?.path).toMatch(/^line \d+, column \d+$/);
    expect(issues[0]?.message).toMatch(/^YAML syntax error/);
  });

  it("reports an empty mapping and a mapping that is not a map", () => {
    expect(issuesOf("settings: {}\n")[0]?.message).toContain("defines no database");
    expect(issuesOf("- a\n- b\n")[0]?.message).toContain("must be a YAML mapping");
  });

  it("reports a missing mapping file with the path", () => {
    expect(() => loadConfig({ env: { MAPPING_PATH: "/nonexistent/m.yaml" }, requireToken: false })).toThrow(/\/nonexistent\/m\.yaml: file not found/);
  });
});

describe("environment", () => {
  const dir = mkdtempSync(join(tmpdir(), "nds-config-"));
  const mapping = join(dir, "m.yaml");
  writeFileSync(
    mapping,
    'p:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n    - { notion_property: Name, column_name: name, column_type: STRING }\n',
  );

  it("names the variable at fault and never echoes a secret", () => {
    let error: unknown;
    try {
      loadConfig({ env: { MAPPING_PATH: mapping, NOTION_RPS: "fast", NOTION_TOKEN: "" }, requireToken: true });
    } catch (e) {
      error = e;
    }
    const message = (error as ConfigError).message;
    expect(message).toContain("environment: NOTION_RPS");
    expect(message).toContain('(got "fast")');
    const again = (() => {
      try {
        loadConfig({ env: { MAPPING_PATH: mapping }, requireToken: true });
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(again?.issues[0]).toMatchObject({ source: "environment", path: "NOTION_TOKEN" });
  });

  it("reports environment and mapping problems together", () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ env: { NOTION_RPS: "abc", SYNC_SCHEDULE: "every hour" }, requireToken: true });
    } catch (e) {
      error = e as ConfigError;
    }
    const paths = error!.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["NOTION_RPS", "SYNC_SCHEDULE", "NOTION_TOKEN", "programs.database_id", "risks.database_id"]));
    expect(error!.message).toContain("SYNC_SCHEDULE: is not a valid cron expression: expression: expected 5 or 6 fields but got 2");
  });

  it("reads READINESS_CHECK_INTERVAL as a duration (a bare number is minutes), 15 minutes by default, and names it when malformed", () => {
    const interval = (value?: string) =>
      loadConfig({ env: { MAPPING_PATH: mapping, NOTION_TOKEN: "t", ...(value === undefined ? {} : { READINESS_CHECK_INTERVAL: value }) }, requireToken: true })
        .worker.readinessCheckIntervalMs;
    expect([interval(), interval("30"), interval("90s"), interval("1h"), interval("2.5m")]).toEqual([900_000, 1_800_000, 90_000, 3_600_000, 150_000]);
    for (const bad of ["soon", "-5m", "0", "2d", "25h"]) {
      expect(() => interval(bad)).toThrow(
        `READINESS_CHECK_INTERVAL: must be a duration from 1s to 24h such as 15m, 90s or 1h (a bare number is minutes) (got "${bad}")`,
      );
    }
  });

  it("reads the webhook settings: off by default, the debounce as a duration, the verification token as a secret; names what is malformed", () => {
    const load = (env: Record<string, string>) => loadConfig({ env: { MAPPING_PATH: mapping, NOTION_TOKEN: "t", ...env }, requireToken: true }).worker.webhooks;
    expect(load({})).toMatchObject({ enabled: false, verificationToken: undefined, debounceMs: 5_000 });
    const on = load({ NOTION_WEBHOOKS: "on", NOTION_WEBHOOK_DEBOUNCE: "500ms", NOTION_WEBHOOK_VERIFICATION_TOKEN: "secret_hook_private" });
    expect([on.enabled, on.debounceMs, on.verificationToken?.reveal()]).toEqual([true, 500, "secret_hook_private"]);
    expect(JSON.stringify(on)).not.toContain("secret_hook_private");
    expect(() => load({ NOTION_WEBHOOKS: "maybe" })).toThrow(/NOTION_WEBHOOKS: .*\(got "maybe"\)/);
    expect(() => load({ NOTION_WEBHOOK_DEBOUNCE: "soon" })).toThrow(
      'NOTION_WEBHOOK_DEBOUNCE: must be a duration up to 10m such as 5s, 500ms or 1m (a bare number is minutes) (got "soon")',
    );
    expect(() => load({ NOTION_WEBHOOK_DEBOUNCE: "11m" })).toThrow("NOTION_WEBHOOK_DEBOUNCE: must be a duration up to 10m");
  });

  it("keeps the token out of every printed form of the config", () => {
    const config = loadConfig({ env: { MAPPING_PATH: mapping, NOTION_TOKEN: "secret_very_private" }, requireToken: true });
    expect(config.notion.token?.reveal()).toBe("secret_very_private");
    expect(JSON.stringify(config)).not.toContain("secret_very_private");
    expect(String(config.notion.token)).toBe("[redacted]");
    expect(Object.isFrozen(config)).toBe(true);
  });
});

describe("WAREHOUSE=databricks settings", () => {
  const base = { ...SHIPPED_ENV, NOTION_TOKEN: "secret_x", WAREHOUSE: "databricks", DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/abc" };
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ env, requireToken: true });
    } catch (error) {
      return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error("expected a ConfigError");
  };

  it("takes the host with or without a scheme, the token as a secret, and the default table properties", () => {
    const config = loadConfig({
      env: { ...base, DATABRICKS_HOST: "https://adb-1.2.azuredatabricks.net/", DATABRICKS_TOKEN: "dapi_cfg_secret" },
      requireToken: true,
    });
    const warehouse = config.warehouse;
    if (warehouse.kind !== "databricks") throw new Error("expected databricks");
    expect([warehouse.host, warehouse.httpPath, warehouse.catalog, warehouse.auth.kind]).toEqual([
      "adb-1.2.azuredatabricks.net",
      "/sql/1.0/warehouses/abc",
      undefined,
      "token",
    ]);
    expect(JSON.stringify(config)).not.toContain("dapi_cfg_secret");
    expect(warehouse.tableProperties["delta.enableChangeDataFeed"]).toBe("true");
  });

  it("takes OAuth M2M credentials, and a table-property list of the operator's own (or none)", () => {
    const config = loadConfig({
      env: {
        ...base,
        DATABRICKS_HOST: "h.cloud.databricks.com",
        DATABRICKS_CLIENT_ID: "app-id",
        DATABRICKS_CLIENT_SECRET: "oauth_cfg_secret",
        DATABRICKS_CATALOG: "finance",
        DATABRICKS_TABLE_PROPERTIES: " delta.enableChangeDataFeed = true ,delta.appendOnly=false",
      },
      requireToken: true,
    });
    const warehouse = config.warehouse;
    if (warehouse.kind !== "databricks") throw new Error("expected databricks");
    expect([warehouse.auth.kind, warehouse.catalog, warehouse.tableProperties]).toEqual([
      "oauth-m2m",
      "finance",
      { "delta.enableChangeDataFeed": "true", "delta.appendOnly": "false" },
    ]);
    expect(JSON.stringify(config)).not.toContain("oauth_cfg_secret");
    const none = loadConfig({ env: { ...base, DATABRICKS_HOST: "h", DATABRICKS_TOKEN: "t", DATABRICKS_TABLE_PROPERTIES: "" }, requireToken: true }).warehouse;
    expect(none.kind === "databricks" && none.tableProperties).toEqual({});
  });

  it("reports a missing host together with every other problem, never echoing a secret", () => {
    const found = problems({ ...base, NOTION_RPS: "abc", DATABRICKS_TOKEN: "dapi_never_echoed", DATABRICKS_TABLE_PROPERTIES: "x=1; DROP TABLE y" });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^NOTION_RPS: /),
        expect.stringMatching(/^DATABRICKS_HOST: is not set/),
        expect.stringMatching(/^DATABRICKS_TABLE_PROPERTIES: must be key=value pairs/),
      ]),
    );
    expect(found.join("\n")).not.toContain("dapi_never_echoed");
  });
});
