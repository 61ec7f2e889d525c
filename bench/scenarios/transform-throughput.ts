import type { TransformResult } from "../transform-child.js";
import { runChild } from "../support/child.js";
import { round } from "../support/figures.js";
import type { SandboxProcess } from "../support/sandbox-process.js";

/**
 * The transform alone, per core, in a process of its own over the pages the sandbox process serves
 * (see bench/transform-child.ts). `pagesPerCalibration` is how many pages it transforms in the CPU
 * time of one calibration loop: the figure to compare across machines.
 */
export async function measureTransform(
  sandbox: SandboxProcess,
  quick: boolean,
): Promise<{ pages: number; cpuSeconds: number; pagesPerSecondPerCore: number; pagesPerCalibration: number; calibrationMs: number }> {
  const sources = Object.fromEntries(Object.values(sandbox.databases).map((d) => [d.key, d.dataSourceId]));
  const t = await runChild<TransformResult>("bench/transform-child.ts", {
    ...sandbox.env(),
    BENCH_SOURCES: JSON.stringify(sources),
    BENCH_ROUNDS: quick ? "2" : "5",
  });
  return {
    pages: t.pages,
    cpuSeconds: round(t.cpuSeconds, 3),
    pagesPerSecondPerCore: Math.round(t.pagesPerSecondPerCore),
    pagesPerCalibration: Math.round((t.pagesPerSecondPerCore * t.calibrationMs) / 1000),
    calibrationMs: t.calibrationMs,
  };
}
