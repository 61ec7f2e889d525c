import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type FaultRule, type Sandbox } from "../../src/sandbox/index.js";
import { runCommand } from "./support/cli-process.js";
import { compareSilver, duplicates } from "./support/copy-check.js";
import { ignoreStartCursor, startRewritingProxy, type RequestRewrite, type RewritingProxy } from "./support/rewriting-proxy.js";
import { SECRETS, count } from "./support/suite.js";

/**
 * Lists that do not end the way they say, or hold ids that are not ids, served over real HTTP: `has_more` without a `next_cursor`
 * (queries, property items, users), a cursor handed out twice, an API that ignores `start_cursor`
 * (a rewriting proxy drops it). Each must fail the databases that read it, loudly, with nothing
 * stored short and nothing marked deleted; the other databases sync; a clean run restores an exact copy.
 */
const MAPPING = "config/notion_mapping.yaml";
const KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"];
let sandbox: Sandbox;
let proxy: RewritingProxy;
let dir: string;
let env: Record<string, string>;
const db = () => join(dir, "warehouse.duckdb");
const queryPath = (key: string) => `/v1/data_sources/${sandbox.databases[key]!.dataSourceId}/query`;
const PROPERTY_ITEMS = /^\/v1\/pages\/[^/]+\/properties\/[^/]+$/;

type Json = Record<string, any>;
/** Rewrites answers that say there is more so that they carry no cursor. */
const dropCursor = (json: unknown) => {
  const list = json as Json;
  if (list.has_more) list.next_cursor = null;
  return json;
};
/** Says there is more, with no cursor to get it. */
const claimMore = (json: unknown) => ({ ...(json as Json), has_more: true, next_cursor: null });
/** Hands out the first cursor it saw on every later answer that has more. */
const repeatFirstCursor = () => {
  let first: string | undefined;
  return (json: unknown) => {
    const list = json as Json;
    if (list.has_more) list.next_cursor = first ??= list.next_cursor;
    return json;
  };
};

interface Case {
  name: string;
  args: string[];
  rule?: () => FaultRule;
  rewrite?: RequestRewrite;
  /** The databases that must fail, and what their errors say. */
  failed: readonly string[] | "some";
  error: RegExp;
}

const CASES: Case[] = [
  {
    name: "a query with has_more and no next_cursor",
    args: ["--database", "budget_lines"],
    rule: () => ({ path: queryPath("budget_lines"), kind: "mutate", mutate: dropCursor, times: 1000 }),
    failed: ["budget_lines"],
    error: /query "budget_lines": Notion said has_more but gave no next_cursor after 100 results; the read stops here/,
  },
  {
    name: "property items with has_more and no next_cursor",
    args: [],
    rule: () => ({ path: PROPERTY_ITEMS, kind: "mutate", mutate: claimMore, times: 100_000 }),
    failed: "some",
    error: /page [0-9a-f-]{36} property "[^"]+": Notion said has_more but gave no next_cursor/,
  },
  {
    name: "the users list with has_more and no next_cursor",
    args: [],
    rule: () => ({ path: "/v1/users", kind: "mutate", mutate: claimMore, times: 1000 }),
    failed: ["programs", "milestones"],
    error: /list users: Notion said has_more but gave no next_cursor/,
  },
  {
    name: "a users list with an id that is not a UUID",
    args: [],
    rule: () => ({
      path: "/v1/users",
      kind: "mutate",
      mutate: (json) => (((json as Json).results[0].id = "'); DROP TABLE ppm_silver.programs; --"), json),
      times: 1000,
    }),
    failed: ["programs", "milestones"],
    error: /list users: the id "'\); DROP TABLE ppm_silver\.programs; --" is not a lower-case UUID; nothing of it is stored/,
  },
  {
    name: "relation items with an id that is not a UUID",
    args: [],
    rule: () => ({
      path: PROPERTY_ITEMS,
      kind: "mutate",
      mutate: (json) => (((json as Json).results as Json[]).forEach((item) => item.type === "relation" && (item.relation.id = "../../v1/users")), json),
      times: 100_000,
    }),
    failed: "some",
    error: /page [0-9a-f-]{36} property "[^"]+": the id "\.\.\/\.\.\/v1\/users" is not a lower-case UUID/,
  },
  {
    name: "a query that repeats its cursor",
    args: ["--database", "budget_lines"],
    rule: () => ({ path: queryPath("budget_lines"), kind: "mutate", mutate: repeatFirstCursor(), times: 1000 }),
    failed: ["budget_lines"],
    error: /query "budget_lines": the cursor "[^"]+" came back a second time after 200 results/,
  },
  {
    name: "an API that ignores start_cursor",
    args: [],
    rewrite: ignoreStartCursor,
    failed: "some",
    error: /(query "[a-z_]+"|property "[^"]+"): the cursor "[^"]+" came back a second time/,
  },
];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 53, scale: 400, token: SECRETS.NOTION_TOKEN });
  proxy = await startRewritingProxy(sandbox.url);
  dir = mkdtempSync(join(tmpdir(), "nds-pagination-"));
  env = {
    ...sandbox.env(),
    NOTION_BASE_URL: proxy.url,
    DUCKDB_PATH: db(),
    WATERMARK_DIR: join(dir, "watermarks"),
    NOTION_RPS: "500",
    NOTION_BURST: "100",
    NOTION_MAX_RETRIES: "2",
  };
  const first = await runCommand("pagination-baseline", ["sync", "--full"], env);
  expect(first.code, first.stderr).toBe(0);
  expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
});

afterAll(async () => {
  await proxy?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function runBroken(c: Case, label: string, runEnv: Record<string, string>) {
  if (c.rule) sandbox.faults.inject(c.rule());
  proxy.rewrite(c.rewrite);
  try {
    return await runCommand(label, ["sync", "--full", "--json", ...c.args], runEnv);
  } finally {
    sandbox.faults.clear();
    proxy.rewrite(undefined);
  }
}

function checkFailures(c: Case, stdout: string, code: number | null, stderr: string) {
  expect(code, stderr).toBe(1);
  expect(stderr).not.toMatch(/\n\s+at .*\.(ts|js|mjs):\d+/);
  const json = JSON.parse(stdout) as { summaries: { databaseKey: string; status: string; error: string | null; rowsUpserted: number }[] };
  const failed = json.summaries.filter((s) => s.status === "failed");
  if (c.failed === "some") expect(failed.length).toBeGreaterThan(0);
  else expect(failed.map((s) => s.databaseKey)).toEqual(c.failed);
  for (const s of failed) expect(s.error, s.databaseKey).toMatch(c.error);
  for (const s of json.summaries) if (s.status !== "failed") expect(s.status, s.databaseKey).toBe("success");
  return failed.map((s) => s.databaseKey);
}

describe("lists that do not end the way they say", () => {
  for (const [index, c] of CASES.entries()) {
    it(`${c.name}: fails the databases reading it, marks nothing deleted, the rest sync`, async () => {
      const result = await runBroken(c, `pagination-${index}`, env);
      checkFailures(c, result.stdout, result.code, result.stderr);
      // The failed full pass marked nothing: silver is still the exact copy of the baseline.
      expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
      count({ malformedResponses: 1 });
    });

    it(`${c.name}: into an empty warehouse, stores no short copy as complete`, async () => {
      const fresh = mkdtempSync(join(tmpdir(), "nds-pagination-fresh-"));
      try {
        const freshEnv = { ...env, DUCKDB_PATH: join(fresh, "w.duckdb"), WATERMARK_DIR: join(fresh, "watermarks") };
        const result = await runBroken(c, `pagination-fresh-${index}`, freshEnv);
        const failed = checkFailures(c, result.stdout, result.code, result.stderr);
        // A failed database holds no watermark, so the next run reads it in full again.
        for (const key of failed) expect(existsSync(join(freshEnv.WATERMARK_DIR, `${key}.json`)), key).toBe(false);
        const clean = await runCommand(`pagination-fresh-clean-${index}`, ["sync"], freshEnv);
        expect(clean.code, clean.stderr).toBe(0);
        expect(await compareSilver(sandbox, freshEnv.DUCKDB_PATH, MAPPING)).toEqual([]);
      } finally {
        rmSync(fresh, { recursive: true, force: true });
      }
    });
  }

  it("leave nothing behind that a clean sync does not repair", async () => {
    const result = await runCommand("pagination-clean", ["sync", "--full"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
    expect(await duplicates(db(), KEYS)).toEqual([]);
  });
});
