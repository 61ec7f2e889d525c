import { processEnvironment } from "../config/index.js";
import { runPreflight, type PreflightCheck } from "../pipeline/index.js";
import { EXIT, humanOutput, parseReportFlags, printable } from "./cli-support.js";

export const VERIFY_HELP = `Usage: npm run verify [-- --json] [--probe-batch-size]

Preflight (the runbook's verify-all): the mapping, the environment, the Notion token, each database's
access and properties, the warehouse, the watermark directory and the run lock. One line per check
with ✓, ! (holds, but likely not what was meant) or ✗, and a fix. --probe-batch-size also sends
up to 8 statements of one growing parameter (1 to 16 MiB) to find the largest the warehouse takes, and
compares it with the batches the mapping sends (Databricks; nothing is written).
Exit codes: 0 all ok · 1 a check failed · 2 usage`;

export async function verifyCommand(args: readonly string[]): Promise<number> {
  const flags = parseReportFlags(args, VERIFY_HELP, ["probe-batch-size"]);
  if (!flags) return EXIT.ok;
  const checks = await runPreflight(processEnvironment(), { probeBatchSize: flags.on["probe-batch-size"] });
  const out = humanOutput(flags.json);
  for (const check of checks) out.write(`${line(check)}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify({ ok: checks.every((c) => c.ok), checks }, null, 2)}\n`);
  return checks.every((c) => c.ok) ? EXIT.ok : EXIT.failed;
}

function line(check: PreflightCheck): string {
  return `${check.warning ? "!" : check.ok ? "✓" : "✗"} ${printable(check.name)}: ${printable(check.detail)}${check.fix ? `\n    fix: ${printable(check.fix)}` : ""}`;
}
