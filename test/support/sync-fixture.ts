import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type AppConfig } from "../../src/config/index.js";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/index.js";

/** A sandbox plus a scratch warehouse and watermark directory, and the config that points at them. */
export interface SyncFixture {
  readonly sandbox: Sandbox;
  readonly dir: string;
  readonly duckdbPath: string;
  env(extra?: Record<string, string>): Record<string, string>;
  config(extra?: Record<string, string>): AppConfig;
  close(): Promise<void>;
}

export async function syncFixture(options: SandboxOptions = {}): Promise<SyncFixture> {
  const sandbox = await startSandbox(options);
  const dir = mkdtempSync(join(tmpdir(), "nds-fixture-"));
  const duckdbPath = join(dir, "w.duckdb");
  const env = (extra: Record<string, string> = {}) => ({
    ...sandbox.env(),
    DUCKDB_PATH: duckdbPath,
    WATERMARK_DIR: join(dir, "wm"),
    NOTION_RPS: "500",
    NOTION_BURST: "50",
    ...extra,
  });
  return {
    sandbox,
    dir,
    duckdbPath,
    env,
    config: (extra) => loadConfig({ env: env(extra), requireToken: true }),
    async close() {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
