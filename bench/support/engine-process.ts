import type { DependentRefreshSummary } from "../../src/observability/events.js";
import type { DialectName } from "./dialects.js";
import { runChild } from "./child.js";
import type { StatementCounts } from "./statement-counts.js";

/** What bench/sync-child.ts runs (passed as BENCH_SPEC). */
export interface EngineSpec {
  readonly databases?: readonly string[];
  readonly full?: boolean;
  readonly dryRun?: boolean;
  /** Only open and close the warehouse: the floor of a process that loads the engine. */
  readonly baseline?: boolean;
  /** Rebuild silver from bronze (`npm run rebuild`) instead of syncing. */
  readonly rebuild?: boolean;
  /** Write through this dialect with statements counted; unset: the configured warehouse as is. */
  readonly dialect?: DialectName;
}

/** The engine process's one line of output. */
export interface EngineResult {
  readonly result: {
    readonly ok: boolean;
    readonly summaries: readonly {
      databaseKey: string;
      status: string;
      pagesRead: number;
      rowsUpserted: number;
      rowsQuarantined: number;
      error: string | null;
      dependentRefresh?: DependentRefreshSummary;
    }[];
  };
  /** Wall time of runSync alone (the process's start-up and module loading are not in it). */
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly statements: StatementCounts;
  /** The engine's event loop delay during the run: how long a ready callback (a paced request) could wait. */
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly maxRssMb: number;
  readonly peakHeapMb: number;
  readonly peakExternalMb: number;
}

/** Runs one sync in its own process with exactly `env` (the sandbox's and the scratch warehouse's). */
export function runEngine(spec: EngineSpec, env: Record<string, string>): Promise<EngineResult> {
  return runChild<EngineResult>("bench/sync-child.ts", { ...env, BENCH_SPEC: JSON.stringify(spec) });
}
