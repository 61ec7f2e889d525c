import { loadConfig, processEnvironment } from "../config/index.js";
import { newRunId } from "../pipeline/index.js";
import { runDqChecks, type DqResult } from "../quality/index.js";
import { createWarehouse } from "../warehouse/index.js";
import { EXIT, humanOutput, parseReportFlags, printable } from "./cli-support.js";

export const DQ_HELP = `Usage: npm run dq [-- --json]

Runs the data-quality checks (required, orphan, invalid, duplicate, freshness) over the warehouse,
replaces ppm_gold.dq_issues with the problems found (history in ppm_gold.dq_issues_history), appends a
ppm_gold.control_room_status row, and prints the score and a summary per database and rule.
Exit codes: 0 score ≥ settings.dq.threshold (default 95) · 1 below · 2 bad config or usage`;

export async function dqCommand(args: readonly string[]): Promise<number> {
  const flags = parseReportFlags(args, DQ_HELP);
  if (!flags) return EXIT.ok;
  const config = loadConfig({ env: processEnvironment(), requireToken: false, databaseIdsOptional: true });
  const warehouse = await createWarehouse(config.warehouse);
  let result: DqResult;
  try {
    const now = new Date();
    result = await runDqChecks(warehouse.sql, config, { runId: newRunId(now), now });
  } finally {
    await warehouse.close();
  }
  humanOutput(flags.json).write(`${dqSummary(result)}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return result.score >= result.threshold ? EXIT.ok : EXIT.failed;
}

export function dqSummary(result: DqResult): string {
  const lines = [
    `DQ score ${result.score.toFixed(2)} (threshold ${result.threshold}): ${result.score >= result.threshold ? "ok" : "BELOW THRESHOLD"}; freshness ${result.freshnessMinutes ?? "unknown"} min`,
  ];
  const groups = new Map<string, { checked: number; failed: number }>();
  for (const c of result.checks) {
    const key = `${c.databaseKey} ${c.rule}`;
    const g = groups.get(key) ?? { checked: 0, failed: 0 };
    g.checked += c.checked;
    g.failed += c.failed;
    groups.set(key, g);
  }
  for (const [key, g] of groups) {
    const [database, rule] = key.split(" ");
    lines.push(`  ${g.failed === 0 ? "✓" : "✗"} ${database!.padEnd(14)} ${rule!.padEnd(10)} ${g.failed} of ${g.checked} checked`);
  }
  // Messages quote page values: escaped, so that a value stays on its line.
  for (const i of result.issues) lines.push(`    - ${i.severity} ${i.rule} ${i.databaseKey}${i.pageId ? ` ${i.pageId}` : ""}: ${printable(i.message)}`);
  if (result.issuesTotal > result.issues.length) lines.push(`    … and ${result.issuesTotal - result.issues.length} more in ppm_gold.dq_issues`);
  return lines.join("\n");
}
