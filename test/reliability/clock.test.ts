import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { runCommand } from "./support/cli-process.js";
import { compareSilver } from "./support/copy-check.js";
import { editPages, seeded } from "./support/edits.js";
import { SECRETS, count } from "./support/suite.js";

/**
 * Times that cannot be true: a page the API stamps in 2099 (a clock bug upstream, or a proxy), a
 * watermark file edited to a future time. Neither may move the watermark past edits to come or skip
 * them silently. Also: titles with control characters in the human output of `verify`.
 */
const MAPPING = "config/notion_mapping.yaml";
let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
const db = () => join(dir, "warehouse.duckdb");
const wm = (key: string) => join(dir, "watermarks", `${key}.json`);
const rng = seeded(2099);
const FUTURE = "2099-01-01T00:00:00.000Z";

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 71, scale: 400, token: SECRETS.NOTION_TOKEN });
  dir = mkdtempSync(join(tmpdir(), "nds-clock-"));
  env = { ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: join(dir, "watermarks"), NOTION_RPS: "500", NOTION_BURST: "100", LOG_LEVEL: "warn" };
  const first = await runCommand("clock-baseline", ["sync"], env);
  expect(first.code, first.stderr).toBe(0);
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const watermarkOf = (key: string) => JSON.parse(readFileSync(wm(key), "utf8")) as { lastEditedTime: string; lastFullAt?: string };

describe("a page the API stamps in the future", () => {
  it("is held back: bronze keeps it, silver and the watermark do not move for it, later edits still arrive", async () => {
    editPages(sandbox, rng, 30, { trash: false });
    const ds = sandbox.databases.budget_lines!.dataSourceId;
    const victim = sandbox.store.listPages(ds).sort((a, b) => String(b.last_edited_time).localeCompare(String(a.last_edited_time)))[0]!.id as string;
    sandbox.faults.inject({
      path: `/v1/data_sources/${ds}/query`,
      kind: "mutate",
      times: 1000,
      mutate: (json) => {
        for (const page of (json as { results: Record<string, unknown>[] }).results) if (page.id === victim) page.last_edited_time = FUTURE;
        return json;
      },
    });
    let result;
    try {
      result = await runCommand("clock-future-page", ["sync", "--json"], env);
    } finally {
      sandbox.faults.clear();
    }
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /"pageId":"[0-9a-f-]{36}","lastEditedTime":"2099-01-01T00:00:00.000Z".*"msg":"page stamped in the future: held back from silver and the watermark"/,
    );
    const budget = (JSON.parse(result.stdout) as { summaries: { databaseKey: string; rowsQuarantined: number }[] }).summaries.find(
      (s) => s.databaseKey === "budget_lines",
    )!;
    expect(budget.rowsQuarantined).toBeGreaterThanOrEqual(1);
    expect(Date.parse(watermarkOf("budget_lines").lastEditedTime)).toBeLessThan(Date.now() + 60_000);
    const [held] = await queryFile(db(), `SELECT rule, column_name, value FROM ppm_meta.quarantine WHERE page_id = '${victim}' AND rule = 'future_time'`);
    expect(held).toEqual({ rule: "future_time", column_name: "last_edited_time", value: FUTURE });
    const [bronze] = await queryFile(
      db(),
      `SELECT count(*) AS n FROM ppm_bronze.notion_budget_lines WHERE page_id = '${victim}' AND last_edited_time = TIMESTAMP '2099-01-01 00:00:00'`,
    );
    expect(Number(bronze!.n)).toBe(1);
    const [silver] = await queryFile(db(), `SELECT epoch_ms(last_edited_time) AS t FROM ppm_silver.budget_lines WHERE page_id = '${victim}'`);
    expect(Number(silver!.t)).toBeLessThan(Date.parse("2030-01-01"));

    // The API's clock is right again, and 30 more edits arrive: one incremental run brings all of them.
    editPages(sandbox, rng, 30, { trash: false });
    const next = await runCommand("clock-after", ["sync"], env);
    expect(next.code, next.stderr).toBe(0);
    expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
    count({ malformedResponses: 1 });
  });
});

describe("a watermark file in the future", () => {
  for (const field of ["lastEditedTime", "lastFullAt", "trashFrom"] as const) {
    it(`(${field}) fails its database naming the file and the fix, and a reset repairs it`, async () => {
      const saved = readFileSync(wm("programs"), "utf8");
      writeFileSync(wm("programs"), JSON.stringify({ ...JSON.parse(saved), [field]: FUTURE }, null, 2));
      const refused = await runCommand(`clock-watermark-${field}`, ["sync", "--database", "programs", "--json"], env);
      expect(refused.code).toBe(1);
      const [summary] = (JSON.parse(refused.stdout) as { summaries: { status: string; error: string; errorCode: string }[] }).summaries;
      expect(summary).toMatchObject({ status: "failed", errorCode: "state_invalid" });
      expect(summary!.error).toBe(
        `watermark file ${wm("programs")} has ${field} ${FUTURE}, later than now (${summary!.error.match(/later than now \(([^)]+)\)/)![1]}): edits before then would be skipped; run \`npm run watermarks -- reset --database programs\` (or sync it with --full) to resync "programs" in full`,
      );
      // The reset command, or a --full sync, repairs it.
      if (field === "trashFrom") {
        const full = await runCommand(`clock-full-${field}`, ["sync", "--database", "programs", "--full"], env);
        expect(full.code, full.stderr).toBe(0);
      } else {
        const reset = await runCommand(`clock-reset-${field}`, ["watermarks", "reset", "--database", "programs"], env);
        expect(reset.code, reset.stderr).toBe(0);
      }
      const again = await runCommand(`clock-resync-${field}`, ["sync", "--database", "programs"], env);
      expect(again.code, again.stderr).toBe(0);
      expect(Date.parse(watermarkOf("programs").lastEditedTime)).toBeLessThan(Date.now() + 60_000);
      expect(await compareSilver(sandbox, db(), MAPPING, ["programs"])).toEqual([]);
    });
  }
});

describe("hostile titles in human output", () => {
  it("verify prints a data source title with control characters escaped, on one line", async () => {
    const ds = sandbox.databases.risks!.dataSourceId;
    sandbox.faults.inject({
      path: `/v1/data_sources/${ds}`,
      kind: "mutate",
      times: 10,
      mutate: (json) => ({ ...(json as object), title: [{ type: "text", plain_text: "Risks\n✓ everything: fine\u001b[2J", text: { content: "Risks" } }] }),
    });
    let result;
    try {
      result = await runCommand("clock-verify-title", ["verify"], env);
    } finally {
      sandbox.faults.clear();
    }
    expect(result.stdout).toContain('data source "Risks\\n✓ everything: fine\\u001b[2J"');
    expect(result.stdout + result.stderr).not.toContain("\u001b");
    expect(result.stdout).not.toMatch(/^✓ everything: fine/m);
  });
});
