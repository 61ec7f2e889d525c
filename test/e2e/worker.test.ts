import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runCli } from "../support/cli.js";
import { queryFile } from "../support/duckdb-file.js";
import { startWorkerProcess, until, type WorkerProcess } from "../support/worker-process.js";

let sandbox: Sandbox | undefined;
let worker: WorkerProcess | undefined;
let dir: string;

afterEach(async () => {
  if (worker && worker.child.exitCode === null) {
    worker.child.kill("SIGKILL");
    await worker.exited;
  }
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
  worker = undefined;
  sandbox = undefined;
});

async function setup(options: Parameters<typeof startSandbox>[0] = {}, env: Record<string, string> = {}) {
  sandbox = await startSandbox({ seed: 4, ...options });
  dir = mkdtempSync(join(tmpdir(), "nds-worker-"));
  const base = { ...sandbox.env(), DUCKDB_PATH: join(dir, "w.duckdb"), WATERMARK_DIR: join(dir, "wm"), NOTION_RPS: "500", NOTION_BURST: "50", ...env };
  return base;
}

/** Prometheus text exposition: every sample line is `name{labels} value` (NaN in any case, as Prometheus parses it). */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

const sum = (samples: Map<string, number>, name: string) => [...samples].filter(([k]) => k === name || k.startsWith(`${name}{`)).reduce((n, [, v]) => n + v, 0);

describe("the worker (npm start) against the sandbox", () => {
  it("syncs on schedule and reports health, readiness, metrics and KPIs", async () => {
    const env = await setup({}, { SYNC_SCHEDULE: "*/2 * * * * *" });
    worker = await startWorkerProcess(env);
    expect((await worker.get("/healthz")).status).toBe(200);
    const kpis = await until("every database synced twice", async () => {
      const body = JSON.parse((await worker!.get("/api/kpis")).body) as { databases: Record<string, { last_success_at: string | null }> };
      const runs = await queryFile(join(dir, "w.duckdb"), "SELECT count(DISTINCT run_id) AS n FROM ppm_meta.sync_runs").catch(() => [{ n: 0n }]);
      return Number(runs[0]!.n) >= 2 && Object.values(body.databases).every((d) => d.last_success_at) ? body : undefined;
    });
    expect(Object.keys((kpis as { databases: object }).databases)).toEqual(["programs", "projects", "budget_lines", "milestones", "risks"]);
    const scored = await until("a data-quality score after a scheduled sync", async () => {
      const k = JSON.parse((await worker!.get("/api/kpis")).body) as { dq_score: number | null };
      return k.dq_score !== null ? k : undefined;
    });
    expect(scored.dq_score).toBeGreaterThan(95);
    expect(scored.dq_score).toBeLessThan(100);
    const body = JSON.parse((await worker.get("/api/kpis")).body) as {
      freshness_minutes: number;
      running: boolean;
      dq_score: number;
      databases: Record<string, { freshness_minutes: number; last_status: string; pages: number }>;
    };
    expect(body.freshness_minutes).toBeGreaterThanOrEqual(0);
    expect(body.freshness_minutes).toBeLessThan(1);
    for (const db of Object.values(body.databases)) expect([db.last_status, db.freshness_minutes < 1]).toEqual(["success", true]);
    expect((await worker.get("/readyz")).status).toBe(200);
    const metrics = parseMetrics((await worker.get("/metrics")).body);
    for (const name of [
      "nds_notion_requests_total",
      "nds_pages_read_total",
      "nds_rows_upserted_total",
      "nds_rows_quarantined_total",
      "nds_run_duration_seconds_count",
      "nds_last_success_timestamp_seconds",
      "nds_database_syncs_total",
    ]) {
      expect(sum(metrics, name), name).toBeGreaterThan(0);
    }
    expect(metrics.has('nds_freshness_minutes{database="budget_lines"}')).toBe(true);
    expect(metrics.get("nds_dq_score")).toBe(scored.dq_score);
    expect(metrics.get('nds_notion_requests_total{status="200"}')).toBeGreaterThan(0);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  });

  it("answers /readyz 503 while the warehouse cannot be opened, and 200 once it can", async () => {
    // Readiness goes on the failed contact at start until the interval has passed: a short one here.
    const env = await setup({}, { SYNC_ON_START: "false", SYNC_SCHEDULE: "0 0 1 1 *", READINESS_CHECK_INTERVAL: "2s" });
    const holder = await DuckDBInstance.create(join(dir, "w.duckdb"));
    try {
      worker = await startWorkerProcess(env);
      const notReady = await worker.get("/readyz");
      expect(notReady.status).toBe(503);
      expect(notReady.body).toContain("warehouse not reachable");
      expect((await worker.get("/healthz")).status).toBe(200);
    } finally {
      holder.closeSync();
    }
    await until("ready", async () => (await worker!.get("/readyz")).status === 200, 15_000);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  });

  it("skips a tick that finds a run in progress, never overlapping runs", async () => {
    const env = await setup({ scale: 3_000, latencyMs: 15 }, { SYNC_SCHEDULE: "* * * * * *", NOTION_RPS: "200" });
    worker = await startWorkerProcess(env);
    await until(
      "a skipped tick",
      async () => {
        const metrics = parseMetrics((await worker!.get("/metrics")).body);
        return (metrics.get('nds_ticks_skipped_total{reason="run in progress"}') ?? 0) >= 2;
      },
      60_000,
      500,
    );
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    const runs = await queryFile(
      join(dir, "w.duckdb"),
      "SELECT run_id, min(started_at) AS s, max(finished_at) AS f FROM ppm_meta.sync_runs GROUP BY run_id ORDER BY s",
    );
    expect(runs.length).toBeGreaterThan(0);
    for (let i = 1; i < runs.length; i += 1) expect((runs[i]!.s as Date).getTime()).toBeGreaterThanOrEqual((runs[i - 1]!.f as Date).getTime());
  });

  it("exits 0 on SIGTERM in the middle of a large sync; the next sync completes the data, nothing lost or duplicated", async () => {
    const env = await setup({ scale: 20_000, latencyMs: 5 }, { SYNC_SCHEDULE: "0 0 1 1 *", SHUTDOWN_TIMEOUT_MS: "20000" });
    worker = await startWorkerProcess(env);
    await until(
      "the first committed batches",
      async () => {
        const metrics = parseMetrics((await worker!.get("/metrics")).body);
        const kpis = JSON.parse((await worker!.get("/api/kpis")).body) as { running: boolean };
        return kpis.running && (metrics.get('nds_notion_requests_total{status="200"}') ?? 0) > 40;
      },
      60_000,
      100,
    );
    const stopAt = Date.now();
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(20_000);
    expect(worker.output()).not.toContain(sandbox!.token);
    const interrupted = await queryFile(join(dir, "w.duckdb"), "SELECT database_key, status, error_code FROM ppm_meta.sync_runs WHERE status <> 'success'");
    expect(interrupted.length).toBeGreaterThan(0);
    expect(interrupted.every((r) => r.error_code === "shutdown")).toBe(true);
    // A stop by signal (every deploy) is no failure: recorded as interrupted, no ERROR line, no stack trace.
    expect(interrupted.filter((r) => r.status !== "skipped").map((r) => r.status)).toEqual(["interrupted"]);
    const errors = worker
      .output()
      .split("\n")
      .filter((line) => line.startsWith('{"level":50') || line.startsWith('{"level":60'));
    expect(errors).toEqual([]);
    expect(worker.output()).not.toContain('"stack"');
    // ... and does not count toward the failure backoff of the next worker.
    const next = await startWorkerProcess({ ...env, SYNC_ON_START: "false" });
    const kpis = JSON.parse((await next.get("/api/kpis")).body) as { databases: Record<string, { consecutive_failures: number; last_status: string }> };
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
    expect(Object.values(kpis.databases).map((d) => d.consecutive_failures)).toEqual([0, 0, 0, 0, 0]);
    expect(Object.values(kpis.databases).map((d) => d.last_status)).toContain("interrupted");
    const again = await runCli(["sync"], env, 120_000);
    expect(again.code, again.stderr).toBe(0);
    for (const key of Object.keys(sandbox!.databases)) {
      const ds = sandbox!.databases[key]!.dataSourceId;
      const pages = sandbox!.store.pageIds(ds, { includeTrashed: true });
      const [row] = await queryFile(
        join(dir, "w.duckdb"),
        `SELECT count(*) AS silver, count(DISTINCT page_id) AS ids, (SELECT count(*) FROM ppm_bronze.notion_${key}) AS bronze, (SELECT count(DISTINCT (page_id, _row_hash)) FROM ppm_bronze.notion_${key}) AS versions FROM ppm_silver.${key}`,
      );
      expect([Number(row!.silver), Number(row!.ids), Number(row!.bronze), Number(row!.versions)], key).toEqual([
        pages.length,
        pages.length,
        pages.length,
        pages.length,
      ]);
    }
  }, 180_000);

  it("stops by force when the graceful stop outlasts SHUTDOWN_TIMEOUT_MS, or on a second signal: exit 1, and the next sync repairs", async () => {
    // Every Notion answer takes 4 s: the request in flight cannot finish within the 1-second deadline.
    const env = await setup({ scale: 2_000, latencyMs: 4_000 }, { SYNC_SCHEDULE: "0 0 1 1 *", SHUTDOWN_TIMEOUT_MS: "1000", NOTION_RPS: "50" });
    for (const how of ["deadline", "second signal"] as const) {
      worker = await startWorkerProcess(env);
      await until("a run in flight", async () => (JSON.parse((await worker!.get("/api/kpis")).body) as { running: boolean }).running, 30_000, 50);
      // A request is now on its way (the sandbox answers after 4 s).
      await new Promise((r) => setTimeout(r, 1_000));
      const stopAt = Date.now();
      worker.child.kill("SIGTERM");
      if (how === "second signal") {
        await new Promise((r) => setTimeout(r, 200));
        worker.child.kill("SIGTERM");
      }
      expect(await worker.exited).toBe(1);
      expect(Date.now() - stopAt).toBeLessThan(how === "deadline" ? 4_000 : 3_000);
      expect(worker.output()).toMatch(
        how === "deadline" ? /shutdown took longer than 1000 ms \(SHUTDOWN_TIMEOUT_MS\): exiting now/ : /SIGTERM again: stopping now/,
      );
      expect(worker.output()).toMatch(/"forced":true.*"msg":"worker stopped by force: the run in flight was abandoned"/);
    }
    // The abandoned run's lock and DuckDB file are left as a crash leaves them: the next sync takes over and commits.
    const again = await runCli(["sync", "--database", "programs"], env, 120_000);
    expect(again.code, again.stderr).toBe(0);
    const [row] = await queryFile(join(dir, "w.duckdb"), "SELECT count(*) AS n FROM ppm_silver.programs");
    expect(Number(row!.n)).toBe(sandbox!.store.pageIds(sandbox!.databases.programs!.dataSourceId, { includeTrashed: true }).length);
  }, 180_000);

  it("reports a run that could not start (the warehouse held by another process) and is ready again afterwards", async () => {
    const env = await setup({}, { SYNC_SCHEDULE: "0 0 1 1 *", READINESS_CHECK_INTERVAL: "2s" });
    const holder = await DuckDBInstance.create(join(dir, "w.duckdb"));
    try {
      worker = await startWorkerProcess(env);
      const kpis = await until("the failed run in the KPIs", async () => {
        const k = JSON.parse((await worker!.get("/api/kpis")).body) as { running: boolean; last_run_error: string | null };
        return !k.running && k.last_run_error ? k : undefined;
      });
      expect(kpis.last_run_error).toContain("cannot open the DuckDB file");
      expect((await worker.get("/readyz")).status).toBe(503);
      const metrics = parseMetrics((await worker.get("/metrics")).body);
      expect(metrics.get('nds_runs_total{result="error"}')).toBe(1);
      expect(metrics.get("nds_run_in_progress")).toBe(0);
    } finally {
      holder.closeSync();
    }
    await until("ready", async () => (await worker!.get("/readyz")).status === 200, 15_000);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  });

  it("skips a tick while a manual sync holds the lock, and reads the last runs at start", async () => {
    const env = await setup();
    expect((await runCli(["sync"], env)).code).toBe(0);
    const lock = join(dir, "wm", ".sync.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), runId: "manual", startedAt: new Date().toISOString() }));
    worker = await startWorkerProcess({ ...env, SYNC_SCHEDULE: "*/2 * * * * *" });
    // Before any tick could run: the KPIs already come from the run records.
    const first = JSON.parse((await worker.get("/api/kpis")).body) as { databases: Record<string, { last_success_at: string | null; last_status: string }> };
    expect(Object.values(first.databases).every((d) => d.last_success_at !== null && d.last_status === "success")).toBe(true);
    await until(
      "a tick skipped for the lock",
      async () => (parseMetrics((await worker!.get("/metrics")).body).get('nds_ticks_skipped_total{reason="lock held"}') ?? 0) >= 1,
    );
    const kpis = JSON.parse((await worker.get("/api/kpis")).body) as { running: boolean };
    expect(kpis.running).toBe(false);
    rmSync(lock);
    await until("a run once the lock is free", async () => (parseMetrics((await worker!.get("/metrics")).body).get('nds_runs_total{result="ok"}') ?? 0) >= 1);
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  });

  it("counts rate-limit waits and retries, and stops promptly at a low request rate", async () => {
    const env = await setup({ faultRate: 0.05 }, { SYNC_SCHEDULE: "0 0 1 1 *", NOTION_RPS: "4", NOTION_BURST: "4", SHUTDOWN_TIMEOUT_MS: "20000" });
    sandbox!.setRateLimit(3, 1);
    worker = await startWorkerProcess(env);
    const metrics = await until(
      "rate-limit waits and retries",
      async () => {
        const m = parseMetrics((await worker!.get("/metrics")).body);
        return (m.get("nds_notion_rate_limit_waits_total") ?? 0) > 0 && sum(m, "nds_notion_retries_total") > 0 ? m : undefined;
      },
      60_000,
      250,
    );
    expect(metrics.get('nds_notion_requests_total{status="429"}')).toBeGreaterThan(0);
    const stopAt = Date.now();
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(10_000);
  }, 90_000);
});
