import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

/**
 * The machine the figures come from. The load average says how busy the cores were with other work
 * (a 2-core machine shared with other jobs makes wall times noisy; CPU-time figures less so); the
 * calibration (see calibration.ts) says how fast a core was, at the start and at the end.
 */
export function describeMachine() {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
    cpu_model: cpus()[0]?.model ?? "unknown",
    memory_gb: Math.round(totalmem() / 2 ** 30),
    at: new Date().toISOString(),
  };
}

export function loadAverage1m(): number {
  return Number((loadavg()[0] ?? 0).toFixed(2));
}
