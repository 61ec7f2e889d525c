import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type FaultRule, type Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { runCommand } from "./support/cli-process.js";
import { compareSilver, duplicates } from "./support/copy-check.js";
import { SECRETS, count } from "./support/suite.js";

/**
 * Malformed Notion answers, served over real HTTP by the sandbox's fault rules: proxy HTML pages,
 * truncated JSON, envelopes and pages missing fields, unknown property types, values of the wrong
 * type. Each must either pass (raw JSON kept in bronze, the bad value nulled and logged) or fail its
 * database cleanly with a message saying what was wrong; the other databases sync and the process
 * ends with exit 0 or 1, never a crash. Afterwards a clean sync restores an exact copy.
 */
const MAPPING = "config/notion_mapping.yaml";
const KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"];
let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
const db = () => join(dir, "warehouse.duckdb");
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const risksQuery = () => `/v1/data_sources/${sandbox.databases.risks!.dataSourceId}/query`;

type Json = Record<string, any>;
const onResults = (change: (page: Json, index: number) => void) => (json: unknown) => {
  (json as { results: Json[] }).results.forEach(change);
  return json;
};

interface Case {
  name: string;
  rule: () => FaultRule;
  /** How the risks database ends, and what its error says (failed) or what must be true (success). */
  risks: { status: "failed"; error: RegExp } | { status: "success"; check?: () => Promise<void> };
}

const CASES: Case[] = [
  { name: "a proxy's HTML error page, twice", rule: () => ({ path: risksQuery(), kind: "html", status: 502, times: 2 }), risks: { status: "success" } },
  {
    name: "a proxy's HTML page with status 200",
    rule: () => ({ path: risksQuery(), kind: "html", status: 200, times: 50 }),
    risks: { status: "failed", error: /query "risks": .*(not valid JSON|non-JSON)/ },
  },
  {
    name: "truncated JSON",
    rule: () => ({ path: risksQuery(), kind: "body", body: '{"object":"list","results":[{"object":"page","id":', times: 50 }),
    risks: { status: "failed", error: /query "risks": .*(not valid JSON|non-JSON)/ },
  },
  {
    name: "a list without results",
    rule: () => ({ path: risksQuery(), kind: "body", body: '{"object":"list","has_more":false,"next_cursor":null}', times: 50 }),
    risks: { status: "failed", error: /query "risks".*results/ },
  },
  {
    name: "results that is not a list",
    rule: () => ({ path: risksQuery(), kind: "body", body: '{"object":"list","results":{"0":{}},"has_more":false}', times: 50 }),
    risks: { status: "failed", error: /query "risks".*results/ },
  },
  { name: "an empty JSON body", rule: () => ({ path: risksQuery(), kind: "body", body: "", times: 50 }), risks: { status: "failed", error: /query "risks"/ } },
  {
    name: "a page without last_edited_time",
    rule: () => ({ path: risksQuery(), kind: "mutate", mutate: onResults((p, i) => i === 3 && delete p.last_edited_time), times: 50 }),
    risks: { status: "failed", error: /page [0-9a-f-]{36} of "risks" is malformed: last_edited_time/ },
  },
  {
    name: "a page without properties",
    rule: () => ({ path: risksQuery(), kind: "mutate", mutate: onResults((p, i) => i === 0 && delete p.properties), times: 50 }),
    risks: { status: "failed", error: /page [0-9a-f-]{36} of "risks" is malformed: properties/ },
  },
  {
    name: "a page without url",
    rule: () => ({ path: risksQuery(), kind: "mutate", mutate: onResults((p, i) => i === 1 && delete p.url), times: 50 }),
    risks: { status: "failed", error: /page [0-9a-f-]{36} of "risks" is malformed: url/ },
  },
  {
    name: "a property without its type",
    rule: () => ({ path: risksQuery(), kind: "mutate", mutate: onResults((p) => delete p.properties.Severity.type), times: 50 }),
    risks: { status: "failed", error: /of "risks" is malformed: properties\.Severity\.type/ },
  },
  {
    name: "a page id that is SQL",
    rule: () => ({ path: risksQuery(), kind: "mutate", mutate: onResults((p, i) => i === 2 && (p.id = "'); DROP TABLE ppm_silver.risks; --")), times: 50 }),
    risks: { status: "failed", error: /page "'\); DROP TABLE ppm_silver\.risks; --" of "risks" is malformed: id: is not a lower-case UUID/ },
  },
  {
    name: "a page id that is a path",
    rule: () => ({ path: risksQuery(), kind: "mutate", mutate: onResults((p, i) => i === 0 && (p.id = "../../v1/users")), times: 50 }),
    risks: { status: "failed", error: /page "\.\.\/\.\.\/v1\/users" of "risks" is malformed: id: is not a lower-case UUID/ },
  },
  {
    name: "a page id in upper case",
    rule: () => ({ path: risksQuery(), kind: "mutate", mutate: onResults((p, i) => i === 4 && (p.id = String(p.id).toUpperCase())), times: 50 }),
    risks: { status: "failed", error: /page "[0-9A-F-]{36}" of "risks" is malformed: id: is not a lower-case UUID/ },
  },
  {
    name: "a related page id that is not a UUID",
    rule: () => ({
      path: risksQuery(),
      kind: "mutate",
      mutate: onResults((p, i) => i === 1 && (p.properties.Project.relation = [{ id: "x\u001b[31m" }])),
      times: 50,
    }),
    risks: { status: "failed", error: /page [0-9a-f-]{36} of "risks" is malformed: properties\.Project\.relation\.0\.id: is not a lower-case UUID/ },
  },
  {
    name: "unknown property types, mapped and unmapped",
    rule: () => ({
      path: risksQuery(),
      kind: "mutate",
      mutate: onResults((p) => {
        p.properties.Severity = { id: p.properties.Severity.id, type: "ai_verdict", ai_verdict: { label: "High", confidence: 0.9 } };
        p.properties["Future Thing"] = { id: "fut%3A", type: "future_type", future_type: { nested: [1, { deep: true }] } };
      }),
      times: 50,
    }),
    risks: {
      status: "success",
      async check() {
        const quarantined = await queryFile(
          db(),
          "SELECT DISTINCT column_name, rule, message FROM ppm_meta.quarantine WHERE database_key = 'risks' AND column_name = 'severity'",
        );
        expect(quarantined).toEqual([{ column_name: "severity", rule: "type", message: 'property type "ai_verdict" is not supported' }]);
        const [row] = await queryFile(
          db(),
          'SELECT count(*) AS n FROM ppm_bronze.notion_risks WHERE page_json LIKE \'%"future_type":{"nested":[1,{"deep":true}]}%\' AND page_json LIKE \'%"ai_verdict"%\'',
        );
        expect(Number(row!.n)).toBe(sandbox.store.pageIds(sandbox.databases.risks!.dataSourceId).length);
      },
    },
  },
  {
    name: "a number that is a string",
    rule: () => ({ path: risksQuery(), kind: "mutate", mutate: onResults((p) => (p.properties.Likelihood.number = "NaN")), times: 50 }),
    risks: {
      status: "success",
      async check() {
        const [row] = await queryFile(
          db(),
          "SELECT count(*) FILTER (WHERE likelihood IS NULL) AS nulled, count(*) AS n FROM ppm_silver.risks WHERE NOT _is_deleted",
        );
        expect(Number(row!.nulled)).toBe(Number(row!.n));
      },
    },
  },
];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 53, scale: 200, token: SECRETS.NOTION_TOKEN });
  dir = mkdtempSync(join(tmpdir(), "nds-malformed-"));
  env = { ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: join(dir, "watermarks"), NOTION_RPS: "500", NOTION_BURST: "100", NOTION_MAX_RETRIES: "2" };
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("malformed Notion answers", () => {
  for (const [index, c] of CASES.entries()) {
    it(`${c.name}: ${c.risks.status === "failed" ? "fail risks cleanly" : "pass"}, the other databases sync`, async () => {
      sandbox.faults.inject(c.rule());
      let result;
      try {
        result = await runCommand(`malformed-${index}`, ["sync", "--full", "--json"], env);
      } finally {
        sandbox.faults.clear();
      }
      expect(result.code, result.stderr).toBe(c.risks.status === "failed" ? 1 : 0);
      expect(result.stderr).not.toMatch(/\n\s+at .*\.(ts|js|mjs):\d+/);
      const json = JSON.parse(result.stdout) as { summaries: { databaseKey: string; status: string; error: string | null }[] };
      const status = Object.fromEntries(json.summaries.map((s) => [s.databaseKey, s.status]));
      expect(status).toEqual({ programs: "success", projects: "success", budget_lines: "success", milestones: "success", risks: c.risks.status });
      if (c.risks.status === "failed") expect(json.summaries.find((s) => s.databaseKey === "risks")?.error).toMatch(c.risks.error);
      // Nothing of a malformed answer is stored: every id in the risks tables is a lower-case UUID.
      const [ids] = await queryFile(
        db(),
        `SELECT (SELECT count(*) FROM ppm_bronze.notion_risks WHERE NOT regexp_full_match(page_id, '${UUID}')) + (SELECT count(*) FROM ppm_silver.risks WHERE NOT regexp_full_match(page_id, '${UUID}') OR NOT regexp_full_match(coalesce(project_id, '00000000-0000-0000-0000-000000000000'), '${UUID}')) AS n`,
      );
      expect(Number(ids!.n)).toBe(0);
      if (c.risks.status === "success") await c.risks.check?.();
      expect(await compareSilver(sandbox, db(), MAPPING, ["programs", "projects", "budget_lines", "milestones"])).toEqual([]);
      if (c.risks.status === "success" && !c.risks.check) expect(await compareSilver(sandbox, db(), MAPPING, ["risks"])).toEqual([]);
      // Counted once everything above held: a malformed answer served and handled as required.
      count({ malformedResponses: 1 });
    });
  }

  it("leave nothing behind that a clean sync does not repair", async () => {
    const result = await runCommand("malformed-clean", ["sync", "--full"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
    expect(await duplicates(db(), KEYS)).toEqual([]);
  });
});
