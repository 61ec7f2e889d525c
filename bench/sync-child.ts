/**
 * A full sync in its own process, for the memory figure: runs the library's runSync with the
 * environment it is given and prints one JSON line with its peak RSS and counts. With
 * BENCH_BASELINE set it only opens the warehouse and closes it: the process's floor; with
 * BENCH_DRY_RUN=1 it reads and transforms everything and writes nothing (no warehouse at all).
 */
import { loadConfig, processEnvironment } from "../src/config/index.js";
import { createLogger } from "../src/observability/logger.js";
import { runSync } from "../src/pipeline/index.js";
import { createWarehouse } from "../src/warehouse/index.js";

const env = processEnvironment();
const config = loadConfig({ env, requireToken: true });
const logger = createLogger({ level: "warn", format: "json" });
const started = performance.now();
// Where the memory is: the JS heap and buffers outside it (external, array buffers) are sampled; RSS minus them is native (DuckDB).
const peak = { heapMb: 0, externalMb: 0 };
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peak.heapMb = Math.max(peak.heapMb, m.heapUsed / 2 ** 20);
  peak.externalMb = Math.max(peak.externalMb, (m.external + m.arrayBuffers) / 2 ** 20);
}, 200);
let ok = true;
let pages = 0;
let requests = 0;
if (env.BENCH_BASELINE) {
  await (await createWarehouse(config.warehouse)).close();
} else {
  const result = await runSync({ config, logger }, { full: true, databases: env.BENCH_DATABASES?.split(","), dryRun: env.BENCH_DRY_RUN === "1" });
  ok = result.ok;
  pages = result.summaries.reduce((n, s) => n + s.pagesRead, 0);
  requests = result.summaries.reduce((n, s) => n + s.notionRequests, 0);
}
clearInterval(sampler);
process.stdout.write(
  `${JSON.stringify({ ok, pages, requests, seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, peakHeapMb: peak.heapMb, peakExternalMb: peak.externalMb })}\n`,
);
