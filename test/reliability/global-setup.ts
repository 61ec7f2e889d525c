/**
 * The reliability suite's global setup: distinctive secrets and an artifacts directory for every test
 * file; at the end, a scan of every output the files captured for those secrets, and the totals.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const NAMES = [
  "trials",
  "kills",
  "killsInFlight",
  "killsSettled",
  "faultsInjected",
  "rowsCompared",
  "valuesCompared",
  "mismatches",
  "duplicateVersions",
  "concurrentEdits",
  "badMappings",
  "malformedResponses",
  "bytesScanned",
  "leaks",
] as const;

export default function setup(): () => void {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "nds-reliability-"));
  const tag = () => randomBytes(9).toString("hex");
  process.env.NDS_RELIABILITY_DIR = dir;
  process.env.NDS_RELIABILITY_NOTION_TOKEN = `secret_RELIABILITY_${tag()}`;
  process.env.NDS_RELIABILITY_DATABRICKS_TOKEN = `dapiRELIABILITY${tag()}`;
  process.env.NDS_RELIABILITY_DATABRICKS_CLIENT_SECRET = `doseRELIABILITY${tag()}`;
  process.env.NDS_RELIABILITY_WEBHOOK_TOKEN = `secret_HOOK_RELIABILITY_${tag()}`;
  return () => {
    const totals = sumCounters(join(dir, "counters.jsonl"));
    const leaks = finalScan(join(dir, "outputs"));
    totals.bytesScanned += leaks.bytes;
    totals.leaks += leaks.found.length;
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const lines = NAMES.map((name) => `  ${name.padEnd(20)} ${totals[name]}`);
    process.stdout.write(`\nreliability totals (${minutes} min):\n${lines.join("\n")}\n`);
    for (const where of leaks.found) process.stdout.write(`  SECRET FOUND in ${where}\n`);
    if (!process.env.NDS_RELIABILITY_KEEP) rmSync(dir, { recursive: true, force: true });
    if (totals.mismatches > 0 || totals.leaks > 0 || totals.duplicateVersions > 0) {
      process.exitCode = 1;
      throw new Error(`reliability suite: ${totals.mismatches} mismatches, ${totals.duplicateVersions} duplicate versions, ${totals.leaks} secrets found`);
    }
  };
}

function sumCounters(file: string): Record<(typeof NAMES)[number], number> {
  const totals = Object.fromEntries(NAMES.map((n) => [n, 0])) as Record<(typeof NAMES)[number], number>;
  if (!existsSync(file)) return totals;
  for (const line of readFileSync(file, "utf8").split("\n").filter(Boolean)) {
    for (const [name, value] of Object.entries(JSON.parse(line) as Record<string, number>)) {
      if (name in totals) totals[name as (typeof NAMES)[number]] += value;
    }
  }
  return totals;
}

/**
 * Every captured output of every test file, scanned once more for every secret. The only place where
 * captured bytes are counted (the test files' scans of the same outputs count nothing).
 */
function finalScan(outputs: string): { bytes: number; found: string[] } {
  const secrets = [
    process.env.NDS_RELIABILITY_NOTION_TOKEN!,
    process.env.NDS_RELIABILITY_DATABRICKS_TOKEN!,
    process.env.NDS_RELIABILITY_DATABRICKS_CLIENT_SECRET!,
    process.env.NDS_RELIABILITY_WEBHOOK_TOKEN!,
  ];
  let bytes = 0;
  const found: string[] = [];
  for (const name of existsSync(outputs) ? readdirSync(outputs) : []) {
    const content = readFileSync(join(outputs, name));
    bytes += content.length;
    if (secrets.some((s) => content.includes(s))) found.push(name);
  }
  return { bytes, found };
}
