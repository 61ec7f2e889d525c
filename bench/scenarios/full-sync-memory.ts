import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Scenario } from "../bench-types.js";

/** Starts the sandbox CLI in its own process and returns its environment lines. */
async function sandboxProcess(scale: number) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/sandbox/cli.ts", "--scale", String(scale), "--rps", "0", "--print-env"], { stdio: ["ignore", "pipe", "pipe"] });
  const env: Record<string, string> = {};
  let buffer = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split("\n")) {
        const at = line.indexOf("=");
        if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
      }
      if (env.NOTION_RISKS_DB) resolve();
    });
    child.on("exit", (code) => reject(new Error(`sandbox exited ${code}`)));
  });
  return { env, stop: () => child.kill("SIGTERM") };
}

function runChild<T = { ok: boolean; pages: number; requests: number; seconds: number; maxRssMb: number }>(env: Record<string, string>, script = "bench/sync-child.ts"): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!)) : reject(new Error(`sync child exited ${code}`))));
  });
}

/**
 * Peak RSS of a full sync of one large data source (sandbox in another process, no rate limit), at
 * two sizes: memory must stay bounded and flat as pages grow (pages stream through in batches).
 */
export const fullSyncMemory: Scenario = {
  name: "full sync: peak memory and throughput (sandbox in another process, no rate limit)",
  async run({ quick }) {
    const sizes = quick ? [5_000, 20_000] : [20_000, 100_000];
    const figures: Record<string, number> = {};
    for (const size of sizes) {
      const sandbox = await sandboxProcess(size);
      const dir = mkdtempSync(join(tmpdir(), "nds-bench-"));
      try {
        const result = await runChild({ ...sandbox.env, DUCKDB_PATH: join(dir, "w.duckdb"), WATERMARK_DIR: join(dir, "wm"), NOTION_RPS: "100000", NOTION_BURST: "1000", BENCH_DATABASES: "projects,budget_lines" });
        if (!result.ok) throw new Error("the benchmark sync failed");
        figures[`pages_${size}`] = result.pages;
        figures[`peak_rss_mb_${size}`] = Math.round(result.maxRssMb);
        figures[`seconds_${size}`] = Number(result.seconds.toFixed(2));
        figures[`pages_per_second_${size}`] = Math.round(result.pages / result.seconds);
        figures[`requests_${size}`] = result.requests;
        // The data-quality checks over the same file, in their own process.
        const dq = await runChild<{ rows: number; seconds: number; maxRssMb: number }>({ ...sandbox.env, DUCKDB_PATH: join(dir, "w.duckdb"), WATERMARK_DIR: join(dir, "wm") }, "bench/dq-child.ts");
        figures[`dq_rows_${size}`] = dq.rows;
        figures[`dq_seconds_${size}`] = Number(dq.seconds.toFixed(2));
        figures[`dq_peak_rss_mb_${size}`] = Math.round(dq.maxRssMb);
      } finally {
        sandbox.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const [small, large] = sizes as [number, number];
    const growth = figures[`peak_rss_mb_${large}`]! / figures[`peak_rss_mb_${small}`]!;
    figures.rss_growth_ratio = Number(growth.toFixed(2));
    return {
      name: this.name,
      figures,
      bound: { target_peak_rss_mb: 300, target_max_rss_growth_ratio: 1.5, target_dq_peak_rss_mb: 300 },
      target_met: figures[`peak_rss_mb_${large}`]! < 300 && growth <= 1.5 && figures[`dq_peak_rss_mb_${large}`]! < 300,
      notes: `sizes ${sizes.join(" and ")} pages of budget_lines (plus the 41 projects they reference, so the orphan check joins)`,
    };
  },
};
