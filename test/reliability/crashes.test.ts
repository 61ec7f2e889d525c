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
 * SIGKILL trials: a sync is killed at a random delay after its first Notion request, or at a chosen
 * point (during a MERGE, during a COMMIT, between the commit and the watermark write), then restarted. After every kill: the DuckDB
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

/**
 * A delay trial kills `share` of the way through a sync: `share` times the median length (first request
 * to exit) of the clean restarts so far, counted from the kill run's first request.
 */
type Trial = { kind: "delay"; share: number; twice: boolean } | { kind: "point"; at: string };

/** 28 trials: the first kills the initial full sync; each later one follows edits of 150–350 pages. */
function plan(): Trial[] {
  const trials: Trial[] = [{ kind: "point", at: "merge:9" }];
  const points = ["merge", "commit", "watermark"];
  for (let i = 1; i < 28; i += 1) {
    if (i % 4 === 0) trials.push({ kind: "delay", share: 0.05 + rng() * 0.85, twice: i % 8 === 0 });
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

interface KilledRun {
  exit: CliExit;
  /** The process died of SIGKILL, and of this trial's kill (the preload's marker, or our signal sent while it ran). */
  killed: boolean;
  /** The kill point hit (`merge:3`) and what the process died in (`in-flight`, `settled`, `before-rename`). */
  point?: string;
  state?: string;
  /** Delay kills: ms from spawn to the first Notion request the sandbox served, when there was one. */
  firstRequestMs?: number;
}

/**
 * Runs a sync under a trial. A delay kill is timed from the first request the sandbox served to this
 * process (not from spawn, which would put short delays in Node's start-up), so that it lands in the
 * sync itself.
 */
async function killedRun(label: string, trial: Trial, args: string[], delayMs: number): Promise<KilledRun> {
  const served = sandbox.requests.length;
  const spawned = Date.now();
  const run = startCli(label, ["sync", ...args], env, trial.kind === "point" ? { killAt: trial.at } : {});
  let sent = false;
  let firstRequestMs: number | undefined;
  let watch: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (trial.kind === "delay") {
    watch = setInterval(() => {
      if (sandbox.requests.length === served) return;
      clearInterval(watch);
      firstRequestMs = Date.now() - spawned;
      timer = setTimeout(() => {
        if (run.child.exitCode === null && run.child.signalCode === null) sent = run.child.kill("SIGKILL");
      }, delayMs);
    }, 2);
  }
  const exit = await run.exited;
  clearInterval(watch);
  clearTimeout(timer);
  const marker = /KILL-POINT (\S+) (\S+)/.exec(exit.stderr);
  const killed = exit.signal === "SIGKILL" && (trial.kind === "point" ? marker !== null : sent);
  return { exit, killed, ...(marker ? { point: marker[1]!, state: marker[2]! } : {}), ...(firstRequestMs === undefined ? {} : { firstRequestMs }) };
}

/** A sync run to its end, and its length from the first request the sandbox served to it to its exit. */
async function cleanRun(label: string): Promise<{ exit: CliExit; ms: number | undefined }> {
  const served = sandbox.requests.length;
  const exit = await startCli(label, ["sync"], env).exited;
  const first = sandbox.requests[served];
  return { exit, ms: first === undefined ? undefined : Date.now() - first.at };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

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
    let trialsKilled = 0;
    let staleLocks = 0;
    // MERGE/COMMIT kills: the statement still running when the process died, or already finished.
    let inFlight = 0;
    let settled = 0;
    let aheadOfWatermark = 0;
    const hit = new Map<string, number>();
    const syncMs: number[] = [];
    for (const [index, trial] of trials.entries()) {
      if (index > 0) {
        clock += 2 * 60_000;
        editPages(sandbox, rng, 150 + Math.floor(rng() * 200));
      }
      const args = index % 7 === 4 ? ["--full"] : [];
      const attempts = trial.kind === "delay" && trial.twice ? 2 : 1;
      let killedHere = 0;
      const typical = median(syncMs);
      if (trial.kind === "delay") expect(typical, "a clean restart was timed before the first delay trial").toBeDefined();
      const delayMs = trial.kind === "delay" ? Math.round(trial.share * typical!) : 0;
      for (let attempt = 0; attempt < attempts; attempt += 1) {
        const { exit, killed, point, state, firstRequestMs } = await killedRun(`crash-${index}-${attempt}`, trial, args, delayMs);
        const what =
          trial.kind === "point"
            ? trial.at
            : `${delayMs} ms (${Math.round(trial.share * 100)} % of ${typical} ms) after the first request${firstRequestMs === undefined ? " (none served)" : ` (served ${firstRequestMs} ms after spawn)`}`;
        log.push(
          `trial ${index} ${what}${args.length ? " --full" : ""}: ${killed ? `killed${point ? ` at ${point}, ${state}` : ""}` : `finished with exit ${exit.code}, signal ${exit.signal}`}`,
        );
        if (!killed) {
          expect(exit.code, exit.stderr).toBe(0);
          break;
        }
        kills += 1;
        killedHere += 1;
        if (state === "in-flight") inFlight += 1;
        if (state === "settled") settled += 1;
        if (point) hit.set(point.split(":")[0]!, (hit.get(point.split(":")[0]!) ?? 0) + 1);
        if (existsSync(LOCK())) staleLocks += 1;
        expect(await afterKill(), `after the kill of trial ${index}`).toEqual([]);
        if (point?.startsWith("watermark") && (await committedPastWatermark(db(), wm(), KEYS)).length > 0) aheadOfWatermark += 1;
      }
      const { exit: restart, ms } = await cleanRun(`crash-${index}-restart`);
      expect(restart.code, restart.stderr).toBe(0);
      if (ms !== undefined) syncMs.push(ms);
      expect(existsSync(LOCK()), "the lock is released").toBe(false);
      expect(await compareSilver(sandbox, db(), mapping), `silver after trial ${index}`).toEqual([]);
      expect(await duplicates(db(), KEYS), `duplicates after trial ${index}`).toEqual([]);
      if (killedHere > 0) trialsKilled += 1;
    }
    // trials: the trials in which at least one SIGKILL landed (each then restarted and checked);
    // kills: the processes that died of it. Trials whose sync finished first are not counted.
    count({ trials: trialsKilled, kills, killsInFlight: inFlight, killsSettled: settled });
    process.stdout.write(
      `${log.join("\n")}\ntrials run ${trials.length}, with a kill ${trialsKilled}; kills ${kills} (MERGE/COMMIT kills: ${inFlight} in flight, ${settled} after the statement settled), stale locks taken over ${staleLocks}, watermark kills with committed data past the watermark ${aheadOfWatermark}, kill points hit ${JSON.stringify(Object.fromEntries(hit))}\n`,
    );
    expect(kills, "processes killed").toBeGreaterThanOrEqual(20);
    expect(trialsKilled, "trials killed").toBeGreaterThanOrEqual(20);
    // A "during MERGE/COMMIT" kill must be one: some of them hit the statement while it still ran.
    expect(inFlight, "MERGE/COMMIT kills with the statement still in flight").toBeGreaterThanOrEqual(1);
    for (const point of ["merge", "commit", "watermark"]) expect(hit.get(point) ?? 0, `kills at ${point}`).toBeGreaterThanOrEqual(4);
    expect(staleLocks).toBeGreaterThanOrEqual(20);
    // Most watermark kills left a committed batch that the watermark does not cover yet (the others
    // hit a watermark write that follows no commit, such as the end of a trash pass).
    expect(aheadOfWatermark, "watermark kills that left committed data past the watermark").toBeGreaterThanOrEqual(4);
    // What a kill leaves besides the lock: temp files of the watermark store only, never a broken watermark
    // (and the user list the sync keeps for rebuilds, the last check of the warehouse, and the run
    // records of quiet runs when the last run was one).
    expect(
      readdirSync(wm())
        .filter((n) => !n.startsWith(".") && n !== "pending-sync-runs.jsonl")
        .sort(),
    ).toEqual([...KEYS.map((k) => `${k}.json`), "notion-users.cache", "warehouse-check.state"].sort());
  }, 600_000);
});
