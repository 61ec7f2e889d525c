/**
 * `npm run bench [-- --quick] [--runs N] [--load N] [--only 1,7]`: runs the scenarios, each N times
 * (the sandbox, each engine run and the harness in processes of their own), and writes
 * bench/results/latest.json (machine, calibration, figures as medians with their range, bounds,
 * whether each target is met) and a markdown table to stdout and bench/results/latest.md. A scenario
 * that loses or duplicates rows (or fails) is reported on stderr and makes the exit code 1: speed
 * never at the cost of correctness.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Measurement, Scenario, ScenarioResult } from "./bench-types.js";
import { aggregate } from "./support/aggregate.js";
import { calibrate } from "./support/calibration.js";
import { describeMachine, loadAverage1m } from "./support/machine.js";
import { markdownTable } from "./support/report.js";
import { dayOnSchedule } from "./scenarios/day-on-schedule.js";
import { freshness } from "./scenarios/freshness.js";
import { fullSyncMemory } from "./scenarios/full-sync-memory.js";
import { latencyTolerance } from "./scenarios/latency-tolerance.js";
import { mappingChange } from "./scenarios/mapping-change.js";
import { rateBudget } from "./scenarios/rate-budget.js";
import { slowWarehouse } from "./scenarios/slow-warehouse.js";
import { syncChain } from "./scenarios/sync-chain.js";
import { warehouseCost } from "./scenarios/warehouse-cost.js";

/** By the number their names start with (`--only`). */
const SCENARIOS: { readonly numbers: readonly number[]; readonly scenario: Scenario }[] = [
  { numbers: [1], scenario: rateBudget },
  { numbers: [2, 3, 4], scenario: syncChain },
  { numbers: [5], scenario: warehouseCost },
  { numbers: [6], scenario: fullSyncMemory },
  { numbers: [7], scenario: latencyTolerance },
  { numbers: [8], scenario: mappingChange },
  { numbers: [9], scenario: dayOnSchedule },
  { numbers: [10], scenario: slowWarehouse },
  { numbers: [11], scenario: freshness },
];

const HELP = `Usage: npm run bench [-- --quick] [--runs N] [--load N] [--only 1,7]

Runs the benchmark scenarios: the sandbox in its own process, each sync in an engine process of its
own, a scratch DuckDB file. Writes bench/results/latest.json and latest.md and prints the table.
  --quick     smaller sizes and one run of each (under two minutes)
  --runs N    repetitions of each scenario (default 3; 1 with --quick); figures are medians with min–max
  --load N    also run the pacing scenarios (1 and 7) with N CPU burner processes spinning
  --only L    only the scenarios numbered in L (comma-separated; 2, 3 and 4 run together)
Exit code 1 when a scenario lost or duplicated rows or failed, 2 on a usage error.`;

interface Options {
  quick: boolean;
  runs: number;
  load: number;
  only: number[] | undefined;
}

function parse(): Options | undefined {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      runs: { type: "string" },
      load: { type: "string" },
      only: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const count = (flag: string, raw: string | undefined, min: number, fallback: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new TypeError(`--${flag} must be an integer ≥ ${min}, got "${raw}"`);
    return n;
  };
  const quick = values.quick ?? false;
  if (quick && values.runs !== undefined && values.runs !== "1") throw new TypeError("--quick runs each scenario once: drop --runs or --quick");
  const only = values.only?.split(",").map((n) => count("only", n.trim(), 1, 0));
  return { quick, runs: count("runs", values.runs, 1, quick ? 1 : 3), load: count("load", values.load, 0, 0), only };
}

let options: Options | undefined;
try {
  options = parse();
  if (!options) process.stderr.write(`${HELP}\n`);
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}\n${HELP}\n`);
  process.exitCode = 2;
}
if (options) await runAll(options);

async function runAll({ quick, runs, load, only }: Options): Promise<void> {
  const started = performance.now();
  const loadBefore = loadAverage1m();
  const calibrationStart = calibrate();
  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  for (const { numbers, scenario } of SCENARIOS.filter((s) => !only || s.numbers.some((n) => only.includes(n)))) {
    const at = performance.now();
    const repetitions: Measurement[][] = [];
    try {
      for (let repetition = 0; repetition < runs; repetition += 1) {
        process.stderr.write(`running: ${scenario.name}${quick ? " (quick)" : ""}, run ${repetition + 1} of ${runs} (load average ${loadAverage1m()})\n`);
        repetitions.push(await scenario.run({ quick, repetition, load }));
      }
      results.push(...aggregate(repetitions));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const message = text.startsWith(scenario.name) ? text : `${scenario.name}: ${text}`;
      failures.push(message);
      process.stderr.write(`\nFAILED: ${message}\n\n`);
      results.push({ name: scenario.name, runs: repetitions.length, figures: {}, range: {}, bound: {}, target_met: false, notes: `FAILED: ${message}` });
    }
    process.stderr.write(`  ${numbers.join(", ")} done in ${((performance.now() - at) / 1000).toFixed(1)} s\n`);
  }
  const machine = {
    ...describeMachine(),
    quick,
    runs,
    cpu_burners: load,
    load_avg_1m_before: loadBefore,
    load_avg_1m_after: loadAverage1m(),
    calibration_ms_start: calibrationStart,
    calibration_ms_end: calibrate(),
    bench_seconds: Math.round((performance.now() - started) / 1000),
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", `${JSON.stringify({ machine, scenarios: results }, null, 2)}\n`);
  const table = markdownTable(results);
  writeFileSync("bench/results/latest.md", `# Benchmark results\n\n${JSON.stringify(machine)}\n\n${table}`);
  process.stdout.write(`${JSON.stringify(machine)}\n\n${table}`);
  if (failures.length > 0) {
    process.stderr.write(`\nBENCHMARK FAILED: ${failures.length} scenario(s) failed or lost/duplicated rows:\n${failures.map((f) => `  - ${f}`).join("\n")}\n`);
    process.exitCode = 1;
  }
}
