import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { makeSuiteTls, type SuiteTls } from "./local-warehouse/tls.js";
import { startSparkServer, type SparkServer } from "./spark-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    sparkPort: number;
    localWarehouseTls: SuiteTls;
  }
}

let server: SparkServer | undefined;
let tlsDir: string | undefined;
let started = 0;

/**
 * Starts Spark once for the whole suite; each test works in schemas of its own. Makes the local
 * warehouse's certificate and names it in NODE_EXTRA_CA_CERTS of this process, which the test
 * workers inherit when they are forked after this setup (Node reads it only at start).
 */
export async function setup(project: TestProject): Promise<void> {
  started = Date.now();
  tlsDir = mkdtempSync(join(tmpdir(), "nds-local-warehouse-"));
  const tls = makeSuiteTls(tlsDir, process.env.NODE_EXTRA_CA_CERTS);
  process.env.NODE_EXTRA_CA_CERTS = tls.trustFile;
  project.provide("localWarehouseTls", tls);
  server = await startSparkServer();
  project.provide("sparkPort", server.port);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
  process.stderr.write(`conformance: suite took ${((Date.now() - started) / 1000).toFixed(1)} s including Spark's start and stop\n`);
}
