/**
 * The engine in its own process: one runSync with exactly the environment it is given (the sandbox
 * runs in another process, the harness only observes) and one JSON line on stdout with the run's
 * counts, its wall and CPU time, the statements its warehouse driver sent, the event loop's delay and
 * the memory peaks. BENCH_SPEC (JSON, {@link EngineSpec}) says what to run: `baseline` only opens
 * the warehouse and closes it (the process's floor); `dryRun` reads and transforms everything and
 * writes nothing; `dialect` writes through a counting wrapper of that dialect (default: the
 * configured warehouse, not wrapped, as the memory figure wants it).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { loadConfig, processEnvironment } from "../src/config/index.js";
import { createLogger } from "../src/observability/logger.js";
import { runRebuild, runSync } from "../src/pipeline/index.js";
import { createWarehouse, openWarehouse } from "../src/warehouse/index.js";
import { DIALECTS } from "./support/dialects.js";
import type { EngineResult, EngineSpec } from "./support/engine-process.js";
import { countingDialect, emptyCounts } from "./support/statement-counts.js";

const env = processEnvironment();
const spec = JSON.parse(env.BENCH_SPEC ?? "{}") as EngineSpec;
const config = loadConfig({ env, requireToken: true });
const logger = createLogger({ level: "error", format: "json", destination: process.stderr });
// Where the memory is: the JS heap and buffers outside it (external, array buffers) are sampled; RSS minus them is native (DuckDB).
const peak = { heapMb: 0, externalMb: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak.heapMb = Math.max(peak.heapMb, m.heapUsed / 2 ** 20);
  peak.externalMb = Math.max(peak.externalMb, (m.external + m.arrayBuffers) / 2 ** 20);
}, 200);
const statements = emptyCounts();
const loop = monitorEventLoopDelay({ resolution: 10 });
const cpuAtStart = process.cpuUsage();
const started = performance.now();
loop.enable();
let result: EngineResult["result"] = { ok: true, summaries: [] };
if (spec.baseline) {
  await (await createWarehouse(config.warehouse)).close();
} else if (spec.rebuild) {
  const chosen = DIALECTS[spec.dialect ?? "duckdb"];
  const run = await runRebuild(
    { config, logger, openWarehouse: async (settings) => openWarehouse(countingDialect(chosen.dialect(settings), statements)) },
    { databases: spec.databases },
  );
  result = {
    ok: run.ok,
    summaries: run.databases.map((d) => ({
      databaseKey: d.databaseKey,
      status: d.ok ? "success" : "failed",
      pagesRead: 0,
      rowsUpserted: d.ok ? d.rows : 0,
      rowsQuarantined: d.ok ? d.quarantined : 0,
      error: d.ok ? null : d.error,
    })),
  };
} else {
  const chosen = spec.dialect === undefined ? undefined : DIALECTS[spec.dialect];
  const run = await runSync(
    { config, logger, ...(chosen ? { openWarehouse: async (settings) => openWarehouse(countingDialect(chosen.dialect(settings), statements)) } : {}) },
    { full: spec.full ?? false, databases: spec.databases, dryRun: spec.dryRun ?? false },
  );
  result = {
    ok: run.ok,
    summaries: run.summaries.map((s) => ({
      databaseKey: s.databaseKey,
      status: s.status,
      pagesRead: s.pagesRead,
      rowsUpserted: s.rowsUpserted,
      rowsQuarantined: s.rowsQuarantined,
      error: s.error,
      ...(s.dependentRefresh ? { dependentRefresh: s.dependentRefresh } : {}),
    })),
  };
}
const seconds = (performance.now() - started) / 1000;
loop.disable();
const cpu = process.cpuUsage(cpuAtStart);
clearInterval(sampler);
const out: EngineResult = {
  result,
  seconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  statements,
  loopDelayP99Ms: loop.percentile(99) / 1e6,
  loopDelayMaxMs: loop.max / 1e6,
  maxRssMb: process.resourceUsage().maxRSS / 1024,
  peakHeapMb: peak.heapMb,
  peakExternalMb: peak.externalMb,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
