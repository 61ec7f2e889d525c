import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadConfig, type AppConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/logger.js";
import { runSync, type SyncRunResult } from "../../src/pipeline/index.js";
import { startSandbox, type RequestLogEntry, type Sandbox, type SandboxOptions } from "../../src/sandbox/index.js";
import { openWarehouse, type Dialect } from "../../src/warehouse/index.js";
import { duckDbDialect } from "../../src/warehouse/duckdb/duckdb-dialect.js";
import { duckDbSettings } from "./figures.js";
import { countingDialect, emptyCounts, type StatementCounts } from "./statement-counts.js";

/** Requests the sandbox served during one sync, by kind (every HTTP attempt counts, 429s included). */
export interface RequestCounts {
  total: number;
  queries: number;
  propertyItems: number;
  schema: number;
  users: number;
  rateLimited: number;
}

export interface SyncRun {
  readonly result: SyncRunResult;
  readonly seconds: number;
  readonly requests: RequestCounts;
  readonly statements: StatementCounts;
  readonly pagesRead: number;
  readonly rowsUpserted: number;
}

/**
 * An in-process sandbox, a scratch DuckDB file and watermark directory, and syncs through the
 * library's runSync with a warehouse whose driver counts statements. Requests are counted at the
 * sandbox, not estimated.
 */
export interface BenchWorkspace {
  readonly sandbox: Sandbox;
  readonly dir: string;
  env(extra?: Record<string, string>): Record<string, string>;
  config(extra?: Record<string, string>): AppConfig;
  sync(options: SyncOptions): Promise<SyncRun>;
  /** Points later syncs at a new, empty warehouse file and watermark directory. */
  freshWarehouse(): void;
  close(): Promise<void>;
}

export interface SyncOptions {
  readonly databases: readonly string[];
  readonly full?: boolean;
  /** Environment overrides (e.g. NOTION_RPS). */
  readonly env?: Record<string, string>;
  /** The dialect to write through (default DuckDB on the scratch file). */
  readonly dialect?: (settings: AppConfig["warehouse"]) => Dialect;
}

/** Logs of the benchmark's syncs are dropped (warnings included): the figures are what matter. */
const quietLogger = () => createLogger({ level: "error", format: "json", destination: new Writable({ write: (_c, _e, done) => done() }) });

export async function benchWorkspace(options: SandboxOptions): Promise<BenchWorkspace> {
  const sandbox = await startSandbox({ seed: 1, ...options });
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
  const config = (extra?: Record<string, string>) => loadConfig({ env: env(extra), requireToken: true });
  return {
    sandbox,
    dir,
    env,
    config,
    freshWarehouse: () => void (generation += 1),
    async sync({ databases, full = false, env: extra, dialect = (settings) => duckDbDialect(duckDbSettings(settings)) }) {
      const statements = emptyCounts();
      const from = sandbox.requests.length;
      const started = performance.now();
      const result = await runSync(
        { config: config(extra), logger: quietLogger(), openWarehouse: async (settings) => openWarehouse(countingDialect(dialect(settings), statements)) },
        { full, databases },
      );
      const seconds = (performance.now() - started) / 1000;
      if (!result.ok)
        throw new Error(
          `the sync failed: ${result.summaries
            .filter((s) => s.status === "failed")
            .map((s) => `${s.databaseKey}: ${s.error}`)
            .join("; ")}`,
        );
      return {
        result,
        seconds,
        requests: countRequests(sandbox.requests.slice(from)),
        statements,
        pagesRead: result.summaries.reduce((n, s) => n + s.pagesRead, 0),
        rowsUpserted: result.summaries.reduce((n, s) => n + s.rowsUpserted, 0),
      };
    },
    async close() {
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function countRequests(log: readonly RequestLogEntry[]): RequestCounts {
  const counts: RequestCounts = { total: log.length, queries: 0, propertyItems: 0, schema: 0, users: 0, rateLimited: 0 };
  for (const entry of log) {
    if (entry.status === 429) counts.rateLimited += 1;
    if (entry.path.endsWith("/query")) counts.queries += 1;
    else if (/\/properties\//.test(entry.path)) counts.propertyItems += 1;
    else if (entry.path.startsWith("/v1/users")) counts.users += 1;
    else if (/^\/v1\/(databases|data_sources)\//.test(entry.path)) counts.schema += 1;
  }
  return counts;
}
