import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { startCli, type CliExit } from "./support/cli-process.js";
import { committedPastWatermark, compareSilver, duckDbOpens, duplicates, watermarkProblems } from "./support/copy-check.js";
import { editPages, seeded } from "./support/edits.js";
import { writeMapping } from "./support/mapping.js";
import { SECRETS, count } from "./support/suite.js";

/**
 * SIGKILL trials: a sync is killed at a random delay, or at a chosen point (during a MERGE, during a
 * COMMIT, between the commit and the watermark write), then restarted. After every kill: the DuckDB
 * file opens, the watermark passes no uncommitted page; after every restart: silver equals the
 * sandbox, bronze holds no version twice, the stale lock was taken over. No lookback (the strictest
 * setting) and small batches, so that a database is written in many commits.
 */
const rng = seeded(9001);
let clock = Date.parse("2026-11-01T10:00:00.000Z");
let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
let mapping: string;
const KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"];
const db = () => join(dir, "warehouse.duckdb");
const wm = () => join(dir, "watermarks");
const LOCK = () => join(wm(), ".sync.lock");

type Trial = { kind: "delay"; ms: number; twice: boolean } | { kind: "point"; at: string };

/** 28 trials: the first kills the initial full sync; each later one follows edits of 150–350 pages. */
function plan(): Trial[] {
  const trials: Trial[] = [{ kind: "point", at: "merge:9" }];
  const points = ["merge", "commit", "watermark"];
  for (let i = 1; i < 28; i += 1) {
    if (i % 4 === 0) trials.push({ kind: "delay", ms: 300 + Math.floor(rng() * 1500), twice: i % 8 === 0 });
    else {
      const point = points[trials.length % points.length]!;
      // A run after these edits writes budget_lines in at least two batches: two MERGEs each.
      const n = 1 + Math.floor(rng() * (point === "merge" ? 4 : 2));
      trials.push({ kind: "point", at: `${point}:${n}` });
    }
  }
  return trials;
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 17, scale: 800, token: SECRETS.NOTION_TOKEN, now: () => clock });
  dir = mkdtempSync(join(tmpdir(), "nds-crash-"));
  mapping = writeMapping(join(dir, "mapping.yaml"), { lookback_minutes: 0, batch_size: 100 }, sandbox.env());
  env = { ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: wm(), MAPPING_PATH: mapping, NOTION_RPS: "500", NOTION_BURST: "100", LOG_LEVEL: "info" };
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function killedRun(label: string, trial: Trial, args: string[]): Promise<{ exit: CliExit; killed: boolean; point?: string }> {
  const run = startCli(label, ["sync", ...args], env, trial.kind === "point" ? { killAt: trial.at } : {});
  if (trial.kind === "delay") setTimeout(() => run.kill(), trial.ms);
  const exit = await run.exited;
  const point = /KILL-POINT (\S+)/.exec(exit.stderr)?.[1];
  return { exit, killed: exit.signal === "SIGKILL", ...(point ? { point } : {}) };
}

/** The state a kill leaves: a usable DuckDB file, watermarks behind committed data, the lock of a dead process. */
async function afterKill(): Promise<string[]> {
  const problems: string[] = [];
  const opens = await duckDbOpens(db());
  if (opens) problems.push(opens);
  else if (existsSync(db())) problems.push(...(await watermarkProblems(sandbox, db(), wm(), KEYS)));
  return problems;
}

describe("a sync killed with SIGKILL, then restarted", () => {
  it("always ends with silver equal to the sandbox, no duplicate versions, and the lock taken over", async () => {
    const trials = plan();
    const log: string[] = [];
    let kills = 0;
    let staleLocks = 0;
    let aheadOfWatermark = 0;
    const hit = new Map<string, number>();
    for (const [index, trial] of trials.entries()) {
      if (index > 0) {
        clock += 2 * 60_000;
        editPages(sandbox, rng, 150 + Math.floor(rng() * 200));
      }
      const args = index % 7 === 4 ? ["--full"] : [];
      const attempts = trial.kind === "delay" && trial.twice ? 2 : 1;
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const { exit, killed, point } = await killedRun(`crash-${index}-${attempt}`, trial, args);
        log.push(`trial ${index} ${trial.kind === "point" ? trial.at : `after ${trial.ms} ms`}${args.length ? " --full" : ""}: ${killed ? `killed${point ? ` at ${point}` : ""}` : `finished with exit ${exit.code}`}`);
        if (!killed) {
          expect(exit.code, exit.stderr).toBe(0);
          break;
        }
        kills += 1;
        if (point) hit.set(point.split(":")[0]!, (hit.get(point.split(":")[0]!) ?? 0) + 1);
        if (existsSync(LOCK())) staleLocks += 1;
        expect(await afterKill(), `after the kill of trial ${index}`).toEqual([]);
        if (point?.startsWith("watermark") && (await committedPastWatermark(db(), wm(), KEYS)).length > 0) aheadOfWatermark += 1;
      }
      const restart = await startCli(`crash-${index}-restart`, ["sync"], env).exited;
      expect(restart.code, restart.stderr).toBe(0);
      expect(existsSync(LOCK()), "the lock is released").toBe(false);
      expect(await compareSilver(sandbox, db(), mapping), `silver after trial ${index}`).toEqual([]);
      expect(await duplicates(db(), KEYS), `duplicates after trial ${index}`).toEqual([]);
    }
    count({ trials: trials.length, kills });
    process.stdout.write(`${log.join("\n")}\nkills ${kills}, stale locks taken over ${staleLocks}, watermark kills with committed data past the watermark ${aheadOfWatermark}, kill points hit ${JSON.stringify(Object.fromEntries(hit))}\n`);
    expect(kills).toBeGreaterThanOrEqual(20);
    for (const point of ["merge", "commit", "watermark"]) expect(hit.get(point) ?? 0, `kills at ${point}`).toBeGreaterThanOrEqual(4);
    expect(staleLocks).toBeGreaterThanOrEqual(20);
    // Most watermark kills left a committed batch that the watermark does not cover yet (the others
    // hit a watermark write that follows no commit, such as the end of a trash pass).
    expect(aheadOfWatermark, "watermark kills that left committed data past the watermark").toBeGreaterThanOrEqual(4);
    // What a kill leaves besides the lock: temp files of the watermark store only, never a broken watermark.
    expect(readdirSync(wm()).filter((n) => !n.startsWith(".")).sort()).toEqual(KEYS.map((k) => `${k}.json`).sort());
  }, 600_000);
});
