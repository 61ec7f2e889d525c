import type { TestProject } from "vitest/node";
import { startSparkServer, type SparkServer } from "./spark-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    sparkPort: number;
  }
}

let server: SparkServer | undefined;
let started = 0;

/** Starts Spark once for the whole suite; each test works in schemas of its own. */
export async function setup(project: TestProject): Promise<void> {
  started = Date.now();
  server = await startSparkServer();
  project.provide("sparkPort", server.port);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  process.stderr.write(`conformance: suite took ${((Date.now() - started) / 1000).toFixed(1)} s including Spark's start and stop\n`);
}
