import { loadConfig, processEnvironment } from "../config/index.js";
import { resetWatermarks, showWatermarks, type StateReport } from "../pipeline/index.js";
import type { Watermark } from "../state/index.js";
import { EXIT, UsageError, parseFlags, printHelp, printable } from "./cli-support.js";

export const WATERMARKS_HELP = `Usage: npm run watermarks -- show [--database KEY ...] [--json]
       npm run watermarks -- reset (--database KEY ... | --all)

show   prints each database's watermark (time, run id, mapping hash) as the local file
       (WATERMARK_DIR) and the warehouse (ppm_meta.watermarks) hold it
reset  forgets both copies: the next sync of those databases is a full resync`;

export async function watermarksCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      database: { type: "string", multiple: true },
      all: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    true,
  );
  if (values.help) {
    printHelp(WATERMARKS_HELP);
    return EXIT.ok;
  }
  const [action, ...extra] = positionals;
  if (extra.length > 0 && !values.database) throw new UsageError(`unexpected argument ${extra.map((p) => `"${p}"`).join(" ")}`);
  if (values.database) values.database.push(...extra);
  // A reset must work in a disaster: no Notion token or database ids needed.
  const config = loadConfig({ env: processEnvironment(), requireToken: false, databaseIdsOptional: true });
  const keys = config.mapping.databases.map((d) => d.key);
  const unknown = (values.database ?? []).filter((k) => !keys.includes(k));
  if (unknown.length > 0) throw new UsageError(`unknown database key ${unknown.join(", ")}; the mapping has ${keys.join(", ")}`);

  if (action === "show") {
    if (values.all) throw new UsageError("--all goes with reset");
    const report = await showWatermarks(config, values.database ?? keys);
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(showLines(report));
    return EXIT.ok;
  }
  if (action === "reset") {
    if (values.json) throw new UsageError("--json goes with show");
    if (values.all && values.database) throw new UsageError("give either --all or --database, not both");
    if (!values.all && !values.database) throw new UsageError("reset needs --database KEY or --all");
    const result = await resetWatermarks(config, values.all ? keys : (values.database ?? []));
    for (const [key, existed] of result.existed)
      process.stdout.write(`${key}: ${existed ? "watermark removed; next sync is a full resync" : "had no watermark"}\n`);
    if (result.warehouseError)
      process.stderr.write(
        `warning: the warehouse's copies were not cleared (${printable(result.warehouseError)}); the local files are, which is enough for the next sync to be full\n`,
      );
    return EXIT.ok;
  }
  throw new UsageError(action ? `unknown action "${action}" (show or reset)` : "give an action: show or reset");
}

function showLines(report: StateReport): string {
  const line = (w: Watermark | null | undefined) =>
    w === undefined ? "?" : w === null ? "(none)" : `${w.lastEditedTime} run ${w.runId} mapping ${w.mappingHash.slice(0, 12)}`;
  const lines = report.databases.map(
    (d) =>
      `${d.databaseKey.padEnd(14)} file: ${line(d.file)}; warehouse: ${line(d.warehouse)}${d.file === null && d.warehouse === null ? " (next sync is a full resync)" : d.agree ? "" : " ← differ: the next sync reads from the older, or in full if one is missing"}`,
  );
  if (report.warehouseError) lines.push(`(the warehouse could not be read: ${printable(report.warehouseError)})`);
  return `${lines.join("\n")}\n`;
}
