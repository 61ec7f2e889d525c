import { defineConfig } from "vitest/config";

/**
 * The reliability suite (npm run test:reliability): faults, SIGKILL trials, concurrency, hostile input
 * and secrets, against the sandbox over real HTTP and the real CLI. Not part of `npm test`.
 * Files run one at a time: each starts its own processes, and the machine has two cores.
 */
export default defineConfig({
  test: {
    include: ["test/reliability/**/*.test.ts"],
    globalSetup: ["test/reliability/global-setup.ts"],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    // Every test talks to this machine only: a proxy set in the environment (CI's, for the registries) must not carry it.
    env: { NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" },
    pool: "forks",
    fileParallelism: false,
    restoreMocks: true,
  },
});
