/**
 * `npm run bench [-- --quick]`: runs the scenarios and writes bench/results/latest.json (machine,
 * figures, bounds, whether each target is met) and a markdown table to stdout and
 * bench/results/latest.md. A scenario that loses or duplicates rows (or fails) is reported on
 * stderr and makes the exit code 1: speed never at the cost of correctness.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Scenario, ScenarioResult } from "./bench-types.js";
import { describeMachine } from "./support/machine.js";
import { markdownTable } from "./support/report.js";
import { fullSyncMemory } from "./scenarios/full-sync-memory.js";
import { latencyTolerance } from "./scenarios/latency-tolerance.js";
import { rateBudget } from "./scenarios/rate-budget.js";
import { syncChain } from "./scenarios/sync-chain.js";
import { warehouseCost } from "./scenarios/warehouse-cost.js";

const SCENARIOS: Scenario[] = [rateBudget, syncChain, warehouseCost, fullSyncMemory, latencyTolerance];

const HELP = `Usage: npm run bench [-- --quick]

Runs the benchmark scenarios against the in-process sandbox and the embedded warehouse; writes
bench/results/latest.json and latest.md and prints the table. --quick runs smaller sizes (under two
minutes). Exit code 1 when a scenario lost or duplicated rows or failed.`;
let parsed;
try {
  parsed = parseArgs({ options: { quick: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true });
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n${HELP}\n`);
  process.exitCode = 2;
}
if (parsed?.values.help) process.stderr.write(`${HELP}\n`);
if (parsed && !parsed.values.help) await runAll(parsed.values.quick ?? false);

async function runAll(quick: boolean): Promise<void> {
  const started = performance.now();
  const loadBefore = describeMachine(quick);
  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  for (const scenario of SCENARIOS) {
    process.stderr.write(`running: ${scenario.name}${quick ? " (quick)" : ""}\n`);
    const at = performance.now();
    try {
      results.push(...(await scenario.run({ quick })));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const message = text.startsWith(scenario.name) ? text : `${scenario.name}: ${text}`;
      failures.push(message);
      process.stderr.write(`\nFAILED: ${message}\n\n`);
      results.push({ name: scenario.name, figures: {}, bound: {}, target_met: false, notes: `FAILED: ${message}` });
    }
    process.stderr.write(`  done in ${((performance.now() - at) / 1000).toFixed(1)} s\n`);
  }
  const machine = {
    ...loadBefore,
    load_avg_1m_after: describeMachine(quick).load_avg_1m_before,
    bench_seconds: Math.round((performance.now() - started) / 1000),
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", `${JSON.stringify({ machine, scenarios: results }, null, 2)}\n`);
  const table = markdownTable(results);
  writeFileSync("bench/results/latest.md", `# Benchmark results\n\n${JSON.stringify(machine)}\n\n${table}`);
  process.stdout.write(table);
  if (failures.length > 0) {
    process.stderr.write(`\nBENCHMARK FAILED: ${failures.length} scenario(s) failed or lost/duplicated rows:\n${failures.map((f) => `  - ${f}`).join("\n")}\n`);
    process.exitCode = 1;
  }
}
