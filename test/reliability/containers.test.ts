import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { startWorkerProcess, until, type WorkerProcess } from "../support/worker-process.js";
import { runCommand, startCli } from "./support/cli-process.js";
import { compareSilver } from "./support/copy-check.js";
import { SECRETS, SECRET_ENV, capture, count } from "./support/suite.js";

/**
 * What a container platform does to the worker: PID 1 SIGKILLed mid-sync (an OOM kill, `docker kill`)
 * and restarted as PID 1; a recreated container (another host name) finding the old container's lock on
 * the shared volume; a flood of readiness probes around a scheduled run; SIGHUP; a full disk. Each ends
 * with silver equal to the sandbox.
 */
const MAPPING = "config/notion_mapping.yaml";
const PID1 = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"];
const canUnshare = (() => {
  try {
    return (
      execFileSync("unshare", ["--pid", "--fork", "--mount-proc", "sh", "-c", "echo $$"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() ===
      "1"
    );
  } catch {
    return false;
  }
})();
if (!canUnshare)
  process.stderr.write("\n!!! containers.test.ts: `unshare --pid --fork --mount-proc` is not available here: the PID 1 restart test is SKIPPED\n\n");

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
const db = () => join(dir, "warehouse.duckdb");
const wm = () => join(dir, "watermarks");
const lockFile = () => join(wm(), ".sync.lock");
/** The runs whose records wait in the state directory (quiet runs), started at or after `from`, by run. */
const keptRuns = (from: number): { run_id: string; s: number }[] => {
  const path = join(wm(), "pending-sync-runs.jsonl");
  if (!existsSync(path)) return [];
  const starts = new Map<string, number>();
  for (const line of readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")) {
    const row = JSON.parse(line) as { run_id: string; started_at: string };
    const at = Date.parse(row.started_at);
    if (at >= from) starts.set(row.run_id, Math.min(starts.get(row.run_id) ?? at, at));
  }
  return [...starts].map(([run_id, s]) => ({ run_id, s }));
};
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 61, scale: 1_500, latencyMs: 3, token: SECRETS.NOTION_TOKEN });
  dir = mkdtempSync(join(tmpdir(), "nds-containers-"));
  env = { ...SECRET_ENV, ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: wm(), NOTION_RPS: "200", NOTION_BURST: "50", LOG_LEVEL: "info" };
});

afterAll(async () => {
  worker?.child.kill("SIGKILL");
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const metric = (body: string, name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(body)?.[1] ?? 0);

/** The worker itself: under `unshare --fork` it is the child of the process we started (unshare does not pass signals on). */
function workerPid(w: WorkerProcess, underUnshare: boolean): number {
  if (!underUnshare) return w.child.pid!;
  return Number(readFileSync(`/proc/${w.child.pid}/task/${w.child.pid}/children`, "utf8").trim().split(" ")[0]);
}

async function stopWorker(label: string, underUnshare = false): Promise<void> {
  if (!worker) return;
  process.kill(workerPid(worker, underUnshare), "SIGTERM");
  expect(await worker.exited, worker.output()).toBe(0);
  capture(label, worker.output());
  worker = undefined;
}

describe("a container's worker", () => {
  it.skipIf(!canUnshare)(
    "as PID 1, SIGKILLed mid-sync and restarted as PID 1, takes its earlier life's lock over once the heartbeat stops",
    async () => {
      const STALE_S = 12;
      // The bound must outlast the restart, so that the new life finds the heartbeat still fresh: a loaded CI
      // machine took more than 4 s to start the worker again, and the lock was taken over before readiness could say whose it was.
      const workerEnv = { ...env, SYNC_SCHEDULE: "0 0 1 1 *", SYNC_ON_START: "true", LOCK_STALE_AFTER_S: String(STALE_S) };
      const requestsBefore = sandbox.requests.length;
      worker = await startWorkerProcess(workerEnv, PID1);
      await until("the first sync under way", async () => sandbox.requests.length - requestsBefore > 40 && existsSync(lockFile()), 30_000, 20);
      expect(JSON.parse(readFileSync(lockFile(), "utf8")).pid).toBe(1);
      worker.child.kill("SIGKILL");
      await worker.exited;
      capture("pid1-first-life", worker.output());
      expect(existsSync(lockFile()), "the killed run's lock is left behind").toBe(true);
      count({ kills: 1, trials: 1 });

      worker = await startWorkerProcess(workerEnv, PID1);
      const restarted = Date.now();
      const blocked = await until(
        "readiness saying who holds the lock",
        async () => {
          const answer = await worker!.get("/readyz");
          return answer.status === 503 && /the run lock is held by pid 1 on .+, run .+, since .+, heartbeat .+; skipping since/.test(answer.body)
            ? answer
            : undefined;
        },
        10_000,
        50,
      );
      expect(blocked.status).toBe(503);
      await until("a run once the heartbeat went stale", async () => metric((await worker!.get("/metrics")).body, 'nds_runs_total{result="ok"}') >= 1, 60_000);
      const tookOverAfterMs = Date.now() - restarted;
      await until("ready again", async () => (await worker!.get("/readyz")).status === 200, 10_000, 50);
      expect(worker.output()).toMatch(/"holder":\{"pid":1,"host":"[^"]+".*"msg":"took over a stale run lock"/);
      expect(metric((await worker.get("/metrics")).body, "nds_stale_locks_taken_over_total")).toBe(1);
      await stopWorker("pid1-second-life", true);
      expect(existsSync(lockFile())).toBe(false);
      expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
      process.stderr.write(
        `PID 1 restart: the stale lock was taken over and a run finished ${tookOverAfterMs} ms after the restart (LOCK_STALE_AFTER_S=${STALE_S})\n`,
      );
    },
    120_000,
  );

  it("refuses another host's lock while its heartbeat is live, and takes it over once it is stale", async () => {
    mkdirSync(wm(), { recursive: true });
    writeFileSync(lockFile(), JSON.stringify({ pid: 4242, host: "old-container-7f3a", runId: "remote-run", startedAt: "2026-11-30T08:00:00.000Z" }));
    const beat = (secondsAgo: number) => utimesSync(lockFile(), new Date(Date.now() - secondsAgo * 1000), new Date(Date.now() - secondsAgo * 1000));
    beat(30);
    const refused = await runCommand("other-host-live", ["sync"], { ...env, LOCK_STALE_AFTER_S: "60" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/another sync holds the lock: pid 4242 on old-container-7f3a, run remote-run, since 2026-11-30T08:00:00.000Z, heartbeat/);
    beat(61);
    const taken = await runCommand("other-host-stale", ["sync"], { ...env, LOCK_STALE_AFTER_S: "60" });
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stderr).toMatch(/"holder":\{"pid":4242,"host":"old-container-7f3a","runId":"remote-run".*"msg":"took over a stale run lock"/);
    expect(existsSync(lockFile())).toBe(false);
    expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
  }, 120_000);

  it("answers bursts of 2,000 concurrent readiness probes with one warehouse probe at a time, and still runs every scheduled sync on time", async () => {
    // Synced first, so that the flood meets incremental runs, as it would in production.
    const first = await runCommand("readyz-flood-first-sync", ["sync"], env);
    expect(first.code, first.stderr).toBe(0);
    worker = await startWorkerProcess({ ...env, SYNC_SCHEDULE: "*/5 * * * * *", SYNC_ON_START: "false" });
    const latencies: number[] = [];
    const wave = () =>
      Promise.all(
        Array.from({ length: 2_000 }, async () => {
          const at = performance.now();
          const answer = await worker!.get("/readyz");
          latencies.push(performance.now() - at);
          return answer.status;
        }),
      );
    // Three bursts, each fired half a second before a tick of the schedule, while the cache has expired.
    const floodStart = Date.now();
    const statuses: number[] = [];
    for (let burst = 0; burst < 3; burst += 1) {
      const nextTick = Math.ceil((Date.now() + 1_000) / 5_000) * 5_000;
      await new Promise((r) => setTimeout(r, nextTick - 500 - Date.now()));
      statuses.push(...(await wave()));
    }
    await new Promise((r) => setTimeout(r, 5_000));
    const output = worker.output();
    // One warehouse probe at a time, shared by every probe in flight, answered from the last contact in between.
    const probes = metric((await worker.get("/metrics")).body, 'nds_warehouse_probes_total{result="ok"}');
    await stopWorker("readyz-flood");
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)]!;
    const max = latencies.at(-1)!;
    expect(statuses.every((s) => s === 200)).toBe(true);
    // The start's probe only: the runs every 5 s are contacts, and readiness goes on the last one for
    // READINESS_CHECK_INTERVAL (6,000 probes before the first fix; up to 7 with the former 2-second cache).
    expect(probes).toBe(1);
    expect(latencies[Math.floor(latencies.length * 0.99)]!, "p99 of a probe's answer").toBeLessThan(10_000);
    // Runs of the flood's window: each started within 2 s of its 5-second mark, none skipped. Runs with
    // nothing new open no warehouse: their records are kept beside the watermarks until a run writes.
    const written = await queryFile(
      db(),
      `SELECT run_id, epoch_ms(min(started_at)) AS s FROM ppm_meta.sync_runs WHERE started_at >= make_timestamp(${floodStart * 1000}) GROUP BY run_id ORDER BY s`,
    );
    const runs = [...written, ...keptRuns(floodStart)].sort((a, b) => Number(a.s) - Number(b.s));
    expect(
      runs.length,
      `${runs.map((r) => new Date(Number(r.s)).toISOString()).join(", ")}\n${output
        .split("\n")
        .filter((l) => /run (started|finished)|tick|database sync finished/.test(l))
        .join("\n")}`,
    ).toBeGreaterThanOrEqual(3);
    for (const run of runs) expect(Number(run.s) % 5_000, `run ${String(run.run_id)} started ${Number(run.s) % 5_000} ms after its tick`).toBeLessThan(2_000);
    expect(worker).toBeUndefined();
    process.stderr.write(
      `readiness flood: ${latencies.length} probes answered with ${probes} warehouse probes, p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms; ${runs.length} scheduled runs, all on time\n`,
    );
    expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
  }, 120_000);

  it("stops on SIGHUP as on SIGTERM: the batch in flight commits, the lock is released, a log line says so", async () => {
    sandbox.setRateLimit(0);
    const run = startCli("sighup", ["sync", "--full"], { ...env, NOTION_RPS: "20", NOTION_BURST: "5" });
    await until("the sync under way", async () => existsSync(lockFile()), 20_000, 20);
    await new Promise((r) => setTimeout(r, 500));
    run.child.kill("SIGHUP");
    const exit = await run.exited;
    expect(exit.signal).toBeNull();
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/SIGHUP: finishing the batch in flight, then stopping/);
    expect(existsSync(lockFile())).toBe(false);
    const clean = await runCommand("sighup-clean", ["sync"], env);
    expect(clean.code, clean.stderr).toBe(0);
    expect(await compareSilver(sandbox, db(), MAPPING)).toEqual([]);
  }, 120_000);
});

/** A small tmpfs for the watermark directory, where this machine lets the test mount one. */
function mountTmpfs(target: string, size: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", target], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("a full disk under the watermark directory", () => {
  const mnt = join(tmpdir(), `nds-full-disk-${process.pid}`);
  mkdirSync(mnt, { recursive: true });
  const mounted = mountTmpfs(mnt, "256k");
  if (!mounted) process.stderr.write("\n!!! containers.test.ts: cannot mount a tmpfs here (not root?): the full-disk tests are SKIPPED\n\n");
  afterAll(() => {
    if (mounted) execFileSync("umount", [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  /** Fills the file system, then frees `pages` pages of 4 KiB. */
  function fill(pages: number): string {
    const filler = join(mnt, "filler");
    const block = Buffer.alloc(4096, 1);
    let size = 0;
    try {
      for (;;) {
        writeFileSync(filler, block, { flag: size === 0 ? "w" : "a" });
        size += block.length;
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
    }
    execFileSync("truncate", ["-s", String(Math.max(0, size - pages * 4096)), filler]);
    return filler;
  }

  it.skipIf(!mounted)("fails the run naming the lock file, and leaves no temp file, when not even the lock fits", async () => {
    const watermarks = join(mnt, "wm-a");
    mkdirSync(watermarks);
    const filler = fill(0);
    const result = await runCommand("full-disk-lock", ["sync"], { ...env, WATERMARK_DIR: watermarks });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`cannot write the run lock ${watermarks}/\\.sync\\.lock: ENOSPC: no space left on device \\(the disk is full: free space there\\)`),
    );
    expect(readdirSync(watermarks)).toEqual([]);
    rmSync(filler);
  });

  it.skipIf(!mounted)("fails each database naming its watermark file, leaves no temp file, and syncs once space is back", async () => {
    const watermarks = join(mnt, "wm-b");
    mkdirSync(watermarks);
    const fresh = join(dir, "full-disk.duckdb");
    const filler = fill(1);
    const result = await runCommand("full-disk-watermark", ["sync", "--json"], { ...env, WATERMARK_DIR: watermarks, DUCKDB_PATH: fresh });
    expect(result.code).toBe(1);
    const summaries = (JSON.parse(result.stdout) as { summaries: { databaseKey: string; status: string; error: string }[] }).summaries;
    for (const s of summaries) {
      expect(s.status, s.databaseKey).toBe("failed");
      expect(s.error).toBe(
        `cannot write the watermark ${watermarks}/${s.databaseKey}.json: ENOSPC: no space left on device (the disk is full: free space there)`,
      );
    }
    expect(readdirSync(watermarks).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    rmSync(filler);
    const clean = await runCommand("full-disk-clean", ["sync"], { ...env, WATERMARK_DIR: watermarks, DUCKDB_PATH: fresh });
    expect(clean.code, clean.stderr).toBe(0);
    expect(await compareSilver(sandbox, fresh, MAPPING)).toEqual([]);
  });
});
