/** The data-quality checks in their own process over a synced DuckDB file: peak RSS and duration. */
import { loadConfig, processEnvironment } from "../src/config/index.js";
import { runDqChecks } from "../src/quality/index.js";
import { createWarehouse } from "../src/warehouse/index.js";

const config = loadConfig({ env: processEnvironment(), requireToken: false, databaseIdsOptional: true });
const warehouse = await createWarehouse(config.warehouse);
const started = performance.now();
const result = await runDqChecks(warehouse.sql, config, { runId: "bench", now: new Date() });
await warehouse.close();
const rows = result.checks.filter((c) => c.rule === "invalid").reduce((n, c) => Math.max(n, c.checked), 0);
process.stdout.write(
  `${JSON.stringify({ rows, issues: result.issues.length, seconds: (performance.now() - started) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
