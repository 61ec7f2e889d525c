import { defineConfig } from "vitest/config";

/**
 * `npm run test:conformance`: the Databricks dialect's real statements on Apache Spark 4.0 + Delta
 * Lake 4.0 (a Thrift server started once by the global setup). Files run one after another: one
 * Spark on two cores, where a MERGE costs seconds.
 */
export default defineConfig({
  test: {
    include: ["test/conformance/**/*.test.ts"],
    globalSetup: ["test/conformance/global-setup.ts"],
    testTimeout: 240_000,
    hookTimeout: 300_000,
    // Every test talks to this machine only: a proxy set in the environment (CI's, for the registries) must not carry it.
    env: { NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" },
    pool: "forks",
    fileParallelism: false,
    restoreMocks: true,
  },
});
