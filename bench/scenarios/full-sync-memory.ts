import { readFileSync } from "node:fs";
import type { Scenario } from "../bench-types.js";
import { benchWorkspace, type BenchWorkspace } from "../support/bench-workspace.js";
import { runChild } from "../support/child.js";
import { runEngine } from "../support/engine-process.js";
import { round } from "../support/figures.js";
import { CopyMismatchError, verifyCopy } from "../support/verify-copy.js";

const DATABASES = ["projects", "budget_lines"];
const TARGET_MB = 300;
const MAX_GROWTH = 1.2;

/** The container's heap cap (docker/Dockerfile's NODE_OPTIONS), which every engine process here runs with unless said. */
export function containerNodeOptions(): string {
  const line = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(readFileSync("docker/Dockerfile", "utf8"));
  if (!line?.[1]) throw new Error("docker/Dockerfile sets no NODE_OPTIONS line: scenario 6 measures the engine as the container runs it");
  return line[1];
}

/**
 * Where the peak of the large sync goes: the same read with no warehouse at all (dry run: Notion
 * client, transform, JS heap), and the full sync again with no heap cap (V8's own sizing). A failed
 * sub-run fails the scenario: the dry run must succeed and read every page the sandbox has (it
 * writes no copy to check), the uncapped run must succeed and its copy must pass the check.
 */
async function decompose(name: string, ws: BenchWorkspace, figures: Record<string, number>, size: number, env: Record<string, string>): Promise<void> {
  const expected = await ws.sandbox.expectedPages(DATABASES);
  const dry = await runEngine({ databases: DATABASES, full: true, dryRun: true }, env);
  const pages = dry.result.summaries.reduce((n, s) => n + s.pagesRead, 0);
  const expectedCount = expected.reduce((n, e) => n + e.live.length + e.trashed.length, 0);
  if (!dry.result.ok) throw new Error(`${name}: the no-warehouse (dry) sync of ${size} pages failed`);
  if (pages !== expectedCount)
    throw new CopyMismatchError(
      `${name}: the no-warehouse (dry) sync of ${size} pages read ${pages} pages, the sandbox has ${expectedCount} (live and trashed)`,
    );
  figures[`no_warehouse_pages_${size}`] = pages;
  figures[`no_warehouse_peak_rss_mb_${size}`] = Math.round(dry.maxRssMb);
  figures[`no_warehouse_peak_heap_mb_${size}`] = Math.round(dry.peakHeapMb);
  const { NODE_OPTIONS: _capped, ...uncappedEnv } = env;
  const uncappedPath = `${env.DUCKDB_PATH}.uncapped`;
  const uncapped = await runEngine({ databases: DATABASES, full: true }, { ...uncappedEnv, DUCKDB_PATH: uncappedPath });
  if (!uncapped.result.ok) throw new Error(`${name}: the sync of ${size} pages with no heap cap failed`);
  await verifyCopy(`${name} (no heap cap)`, ws.config({ DUCKDB_PATH: uncappedPath }), expected);
  figures[`no_heap_cap_peak_rss_mb_${size}`] = Math.round(uncapped.maxRssMb);
  figures[`no_heap_cap_peak_heap_mb_${size}`] = Math.round(uncapped.peakHeapMb);
}

/**
 * 6. Peak RSS of a full sync in its own process (the sandbox serves from another, unthrottled), at
 * two sizes: memory must stay under the target and flat as pages grow. The data-quality checks then
 * run over the same file in a process of their own. `baseline_rss_mb` is a process that loads the
 * same modules and opens the warehouse, and syncs nothing; the large size is also measured with no
 * warehouse and with no heap cap, which splits the peak between its parts (those
 * three once per bench run, in its first repetition).
 */
export const fullSyncMemory: Scenario = {
  name: "6. memory (peak RSS of a full sync, sandbox in another process)",
  async run({ quick, repetition }) {
    const sizes = quick ? [5_000, 20_000] : [20_000, 100_000];
    const figures: Record<string, number> = {};
    for (const size of sizes) {
      const ws = await benchWorkspace({ scale: size });
      try {
        const env = ws.env({ NODE_OPTIONS: containerNodeOptions() });
        const result = await runEngine({ databases: DATABASES, full: true }, env);
        if (!result.result.ok) throw new Error(`${this.name}: the sync of ${size} pages failed`);
        await verifyCopy(this.name, ws.config(), await ws.sandbox.expectedPages(DATABASES));
        const pages = result.result.summaries.reduce((n, s) => n + s.pagesRead, 0);
        figures[`pages_${size}`] = pages;
        figures[`peak_rss_mb_${size}`] = Math.round(result.maxRssMb);
        figures[`peak_heap_mb_${size}`] = Math.round(result.peakHeapMb);
        figures[`seconds_${size}`] = round(result.seconds);
        figures[`pages_per_second_${size}`] = Math.round(pages / result.seconds);
        const dq = await runChild<{ rows: number; seconds: number; maxRssMb: number }>("bench/dq-child.ts", env);
        figures[`dq_seconds_${size}`] = round(dq.seconds);
        figures[`dq_peak_rss_mb_${size}`] = Math.round(dq.maxRssMb);
        if (repetition === 0 && size === sizes.at(-1)) await decompose(this.name, ws, figures, size, env);
        if (repetition === 0 && size === sizes[0]) figures.baseline_rss_mb = Math.round((await runEngine({ baseline: true }, env)).maxRssMb);
      } finally {
        await ws.close();
      }
    }
    const [small, large] = sizes as [number, number];
    figures.rss_growth_ratio = round(figures[`peak_rss_mb_${large}`]! / figures[`peak_rss_mb_${small}`]!);
    return [
      {
        name: this.name,
        figures,
        bound: { target_peak_rss_mb: TARGET_MB, target_max_rss_growth_ratio: MAX_GROWTH, target_dq_peak_rss_mb: TARGET_MB },
        judge: (f) => f[`peak_rss_mb_${large}`]! < TARGET_MB && f.rss_growth_ratio! <= MAX_GROWTH && f[`dq_peak_rss_mb_${large}`]! < TARGET_MB,
        notes: `${sizes.join(" and ")} budget lines plus the 41 projects they reference; run through tsx (as npm run bench does) with the container's NODE_OPTIONS (${containerNodeOptions()}); the no-warehouse, no-heap-cap and baseline figures come from the first repetition only`,
      },
    ];
  },
};
