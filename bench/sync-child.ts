/**
 * A full sync in its own process, for the memory figure: runs the library's runSync with the
 * environment it is given and prints one JSON line with its peak RSS and counts. With
 * BENCH_BASELINE set it only opens the warehouse and closes it: the process's floor.
 */
import { loadConfig, processEnvironment } from "../src/config/index.js";
import { createLogger } from "../src/observability/logger.js";
import { runSync } from "../src/pipeline/index.js";
import { createWarehouse } from "../src/warehouse/index.js";

const env = processEnvironment();
const config = loadConfig({ env, requireToken: true });
const logger = createLogger({ level: "warn", format: "json" });
const started = performance.now();
let ok = true;
let pages = 0;
let requests = 0;
if (env.BENCH_BASELINE) {
  await (await createWarehouse(config.warehouse)).close();
} else {
  const result = await runSync({ config, logger }, { full: true, databases: env.BENCH_DATABASES?.split(",") });
  ok = result.ok;
  pages = result.summaries.reduce((n, s) => n + s.pagesRead, 0);
  requests = result.summaries.reduce((n, s) => n + s.notionRequests, 0);
}
process.stdout.write(`${JSON.stringify({ ok, pages, requests, seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
