import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type AppConfig } from "../../src/config/index.js";
import type { SandboxOptions } from "../../src/sandbox/index.js";
import type { DialectName } from "./dialects.js";
import { runEngine, type EngineResult, type EngineSpec } from "./engine-process.js";
import type { RequestCounts } from "./request-counts.js";
import { startSandboxProcess, type SandboxProcess } from "./sandbox-process.js";
import type { StatementCounts } from "./statement-counts.js";

export interface SyncRun {
  readonly engine: EngineResult;
  readonly seconds: number;
  readonly requests: RequestCounts;
  readonly statements: StatementCounts;
  readonly pagesRead: number;
  readonly rowsUpserted: number;
  readonly rowsQuarantined: number;
}

/**
 * Three processes: the sandbox in one (bench/sandbox-child.ts), each sync in a fresh engine process
 * (bench/sync-child.ts) writing a scratch DuckDB file and watermark directory, and this one, the
 * harness, which only starts them and reads what they report. Requests are counted at the sandbox,
 * statements at the engine's driver: measured, not estimated.
 */
export interface BenchWorkspace {
  readonly sandbox: SandboxProcess;
  readonly dir: string;
  env(extra?: Record<string, string>): Record<string, string>;
  config(extra?: Record<string, string>): AppConfig;
  sync(options: SyncOptions): Promise<SyncRun>;
  /** `npm run rebuild` of the databases, in an engine process, on the current warehouse. */
  rebuild(options: Omit<SyncOptions, "full">): Promise<SyncRun>;
  /** Points later syncs at a new, empty warehouse file and watermark directory. */
  freshWarehouse(): void;
  close(): Promise<void>;
}

export interface SyncOptions {
  readonly databases: readonly string[];
  readonly full?: boolean;
  /** Environment overrides (e.g. NOTION_RPS). */
  readonly env?: Record<string, string>;
  /** The dialect to write through, statements counted (default DuckDB on the scratch file). */
  readonly dialect?: DialectName;
}

export async function benchWorkspace(options: SandboxOptions): Promise<BenchWorkspace> {
  const sandbox = await startSandboxProcess(options);
  const dir = mkdtempSync(join(tmpdir(), "nds-bench-"));
  let generation = 0;
  const env = (extra: Record<string, string> = {}) => ({
    ...sandbox.env(),
    DUCKDB_PATH: join(dir, `w${generation}.duckdb`),
    WATERMARK_DIR: join(dir, `wm${generation}`),
    NOTION_RPS: "100000",
    NOTION_BURST: "64",
    ...extra,
  });
  return {
    sandbox,
    dir,
    env,
    config: (extra) => loadConfig({ env: env(extra), requireToken: true }),
    freshWarehouse: () => void (generation += 1),
    sync: ({ databases, full = false, env: extra, dialect = "duckdb" }) => measured({ databases, full, dialect }, env(extra)),
    rebuild: ({ databases, env: extra, dialect = "duckdb" }) => measured({ databases, rebuild: true, dialect }, env(extra)),
    async close() {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };

  /** One engine process, with the requests the sandbox served meanwhile. */
  async function measured(spec: EngineSpec, engineEnv: Record<string, string>): Promise<SyncRun> {
    const from = await sandbox.mark();
    const engine = await runEngine(spec, engineEnv);
    const { summaries } = engine.result;
    if (!engine.result.ok)
      throw new Error(
        `the ${spec.rebuild ? "rebuild" : "sync"} failed: ${summaries
          .filter((s) => s.status === "failed")
          .map((s) => `${s.databaseKey}: ${s.error}`)
          .join("; ")}`,
      );
    return {
      engine,
      seconds: engine.seconds,
      requests: await sandbox.requestsSince(from),
      statements: engine.statements,
      pagesRead: summaries.reduce((n, s) => n + s.pagesRead, 0),
      rowsUpserted: summaries.reduce((n, s) => n + s.rowsUpserted, 0),
      rowsQuarantined: summaries.reduce((n, s) => n + s.rowsQuarantined, 0),
    };
  }
}
