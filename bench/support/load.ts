import { spawn, type ChildProcess } from "node:child_process";

/** CPU contention on purpose: `count` processes that spin until stopped (the bench's `--load N`). */
export interface CpuLoad {
  readonly count: number;
  stop(): Promise<void>;
}

export function startCpuLoad(count: number): CpuLoad {
  const burners: ChildProcess[] = Array.from({ length: count }, () => spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
  // Burners must not outlive the harness, whatever ends it.
  const killAll = () => burners.forEach((b) => b.kill("SIGKILL"));
  process.once("exit", killAll);
  return {
    count,
    stop: async () => {
      process.off("exit", killAll);
      await Promise.all(
        burners.map(
          (b) =>
            new Promise<void>((resolve) => (b.exitCode !== null || b.signalCode !== null ? resolve() : (b.once("exit", () => resolve()), b.kill("SIGKILL")))),
        ),
      );
    },
  };
}

/** Runs `work` with `count` burners spinning (none when 0). */
export async function underLoad<T>(count: number, work: () => Promise<T>): Promise<T> {
  if (count === 0) return work();
  const load = startCpuLoad(count);
  try {
    return await work();
  } finally {
    await load.stop();
  }
}
