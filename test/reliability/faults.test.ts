import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { runCommand } from "./support/cli-process.js";
import { compareSilver, duplicates } from "./support/copy-check.js";
import { editPages, seeded } from "./support/edits.js";
import { SECRETS, count } from "./support/suite.js";

/**
 * Transient faults at scale: 15 % of requests answered 500/502/503/504/529 or dropped (seeded), the
 * sandbox's own rate limit below the client's rate (429 with Retry-After), and bursts of injected
 * 429s. Every run must end with silver equal to the sandbox and no bronze version twice. Permanent
 * errors (401, 404) must fail their database only, with what to do.
 */
const MAPPING = "config/notion_mapping.yaml";
const KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"];
const rng = seeded(4242);
let clock = Date.parse("2026-11-01T10:00:00.000Z");
let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
const db = () => join(dir, "warehouse.duckdb");

interface RunJson {
  ok: boolean;
  summaries: { databaseKey: string; status: string; error: string | null; pagesRead: number }[];
}

/**
 * A sync under 429 bursts: after every 40 requests served, the next 3 are refused with Retry-After: 1.
 * Bursts follow the traffic, not the clock: bursts queued by the clock pile up while the client backs
 * off, until one request meets them on every attempt (which Notion's time windows never do).
 */
async function syncUnderBursts(label: string, args: string[] = []) {
  let served = sandbox.requests.length;
  const bursts = setInterval(() => {
    if (sandbox.requests.length - served < 40) return;
    served = sandbox.requests.length;
    sandbox.faults.inject({ status: 429, retryAfterSec: 1, times: 3 });
  }, 50);
  try {
    return await runCommand(label, ["sync", "--json", ...args], env, 150_000);
  } finally {
    clearInterval(bursts);
  }
}

function faultsSince(start: number): { requests: number; faults: number; byStatus: Record<string, number> } {
  const served = sandbox.requests.slice(start);
  const byStatus: Record<string, number> = {};
  for (const r of served) if (r.status !== 200) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const faults = served.filter((r) => r.status !== 200).length;
  count({ faultsInjected: faults });
  return { requests: served.length, faults, byStatus };
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 23, scale: 4_000, faultRate: 0.15, rps: 80, burst: 40, token: SECRETS.NOTION_TOKEN, now: () => clock });
  dir = mkdtempSync(join(tmpdir(), "nds-faults-"));
  env = { ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: join(dir, "watermarks"), NOTION_RPS: "150", NOTION_BURST: "60" };
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("syncs under injected 5xx/529, dropped connections and 429 bursts", () => {
  it("copies several thousand pages exactly, with no duplicate versions", async () => {
    const start = sandbox.requests.length;
    const result = await syncUnderBursts("faults-full");
    expect(result.code, result.stderr).toBe(0);
    const stats = faultsSince(start);
    process.stdout.write(`full sync: ${stats.requests} requests, ${stats.faults} faults ${JSON.stringify(stats.byStatus)}\n`);
    const pages = KEYS.reduce((n, k) => n + sandbox.store.pageIds(sandbox.databases[k]!.dataSourceId, { includeTrashed: true }).length, 0);
    expect(pages).toBeGreaterThan(4_000);
    // The random faults alone are 15 % of the requests that pass the rate limit.
    expect(stats.faults / stats.requests).toBeGreaterThan(0.1);
    for (const status of ["0", "500", "502", "503", "504", "529", "429"])
      expect(stats.byStatus[status] ?? 0, `faults with status ${status}`).toBeGreaterThan(0);
    expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
    expect(await duplicates(db(), KEYS)).toEqual([]);
  });

  it("then syncs edits and trashed pages incrementally, exactly, under the same faults", async () => {
    for (let round = 0; round < 2; round += 1) {
      clock += 3 * 60_000;
      editPages(sandbox, rng, 400);
      const start = sandbox.requests.length;
      const result = await syncUnderBursts(`faults-incremental-${round}`);
      expect(result.code, result.stderr).toBe(0);
      expect(faultsSince(start).faults).toBeGreaterThan(0);
      expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
      expect(await duplicates(db(), KEYS)).toEqual([]);
    }
  });

  it("fails only the database refused with 401 or 404, says what to do, and the others still sync", async () => {
    const silverOf = async (key: string) => queryFile(db(), `SELECT page_id, _row_hash FROM ppm_silver.${key} ORDER BY page_id`);
    const before = { risks: await silverOf("risks"), milestones: await silverOf("milestones") };
    clock += 3 * 60_000;
    editPages(sandbox, rng, 300);
    const idsOf = (key: string) => new RegExp(`(${sandbox.databases[key]!.databaseId}|${sandbox.databases[key]!.dataSourceId})`);
    sandbox.faults.inject({ path: idsOf("risks"), status: 401, times: 1_000 });
    sandbox.faults.inject({ path: idsOf("milestones"), status: 404, times: 1_000 });
    const start = sandbox.requests.length;
    let result;
    try {
      result = await syncUnderBursts("faults-permanent");
    } finally {
      sandbox.faults.clear();
    }
    faultsSince(start);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as RunJson;
    const status = Object.fromEntries(json.summaries.map((s) => [s.databaseKey, s.status]));
    expect(status).toEqual({ programs: "success", projects: "success", budget_lines: "success", milestones: "failed", risks: "failed" });
    const error = (key: string) => json.summaries.find((s) => s.databaseKey === key)!.error;
    expect(error("risks")).toMatch(/risks.*401.*NOTION_TOKEN is invalid or revoked/);
    expect(error("milestones")).toMatch(/milestones.*404.*not shared with the integration/);
    expect(result.stderr).toMatch(/✗ risks/);
    expect(await compareSilver(sandbox, db(), MAPPING, ["programs", "projects", "budget_lines"])).toEqual([]);
    expect({ risks: await silverOf("risks"), milestones: await silverOf("milestones") }).toEqual(before);
    const runs = await queryFile(db(), "SELECT database_key, status, error_code FROM ppm_meta.sync_runs WHERE status = 'failed' ORDER BY database_key");
    expect(runs).toEqual([
      { database_key: "milestones", status: "failed", error_code: "notion_not_found" },
      { database_key: "risks", status: "failed", error_code: "notion_unauthorized" },
    ]);
    const again = await syncUnderBursts("faults-after-permanent");
    expect(again.code, again.stderr).toBe(0);
    expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
    expect(await duplicates(db(), KEYS)).toEqual([]);
  });
});
