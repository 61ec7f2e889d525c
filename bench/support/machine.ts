import { availableParallelism, cpus, loadavg, totalmem } from "node:os";

/**
 * The machine the figures come from. The load average says how busy the cores were with other work
 * (a 2-core machine shared with other jobs makes wall times noisy; CPU-time figures less so).
 */
export function describeMachine(quick: boolean) {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: availableParallelism(),
    cpu_model: cpus()[0]?.model ?? "unknown",
    memory_gb: Math.round(totalmem() / 2 ** 30),
    load_avg_1m_before: Number((loadavg()[0] ?? 0).toFixed(2)),
    quick,
    at: new Date().toISOString(),
  };
}
