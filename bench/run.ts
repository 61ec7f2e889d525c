/**
 * `npm run bench [-- --quick]`: runs the scenarios and writes bench/results/latest.json (figures,
 * bounds, whether each target is met) and a markdown table to stdout and bench/results/latest.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import type { Scenario, ScenarioResult } from "./bench-types.js";
import { fullSyncMemory } from "./scenarios/full-sync-memory.js";
import { transformThroughput } from "./scenarios/transform-throughput.js";

const SCENARIOS: Scenario[] = [transformThroughput, fullSyncMemory];

const HELP = `Usage: npm run bench [-- --quick]

Runs the benchmark scenarios against the in-process sandbox and the embedded warehouse; writes
bench/results/latest.json and latest.md and prints the table. --quick runs smaller sizes.`;
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
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    process.stderr.write(`running: ${scenario.name}${quick ? " (quick)" : ""}\n`);
    results.push(await scenario.run({ quick }));
  }
  const machine = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpu_model: cpus()[0]?.model ?? "unknown", memory_gb: Math.round(totalmem() / 2 ** 30), quick, at: new Date().toISOString() };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.json", `${JSON.stringify({ machine, scenarios: results }, null, 2)}\n`);
  const lines = ["| scenario | figures | bound / target | met |", "| --- | --- | --- | --- |"];
  for (const r of results) {
    const fmt = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(", ");
    lines.push(`| ${r.name} | ${fmt(r.figures)} | ${fmt(r.bound)} | ${r.target_met ? "yes" : "no"} |`);
  }
  const table = `${lines.join("\n")}\n`;
  writeFileSync("bench/results/latest.md", `# Benchmark results\n\n${JSON.stringify(machine)}\n\n${table}`);
  process.stdout.write(table);
}
