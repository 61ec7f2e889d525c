import { loadConfig, processEnvironment } from "../config/index.js";
import { createLogger } from "../observability/logger.js";
import { runRebuild, type RebuildOutcome } from "../pipeline/index.js";
import { EXIT, UsageError, humanOutput, parseFlags, printHelp, printable } from "./cli-support.js";

export const REBUILD_HELP = `Usage: npm run rebuild -- (--database KEY ... | --all) [--replace-column NAME ...] [--json]

Re-derives silver (and its quarantine rows) from the newest bronze version of each page with the
current mapping: no Notion request. Use it after a mapping change (a new column, a changed rule or
extract); a sync does it by itself when the mapping changed and bronze holds every property it reads.

--replace-column NAME   a column whose column_type changed: the rebuilt table replaces it with the new type
--json                  the result as JSON on stdout`;

export async function rebuildCommand(args: readonly string[], signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      database: { type: "string", multiple: true },
      all: { type: "boolean" },
      "replace-column": { type: "string", multiple: true },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    true,
  );
  if (values.help) {
    printHelp(REBUILD_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0 && !values.database) throw new UsageError(`unexpected argument ${positionals.map((p) => `"${p}"`).join(" ")}`);
  const databases = values.database ? [...values.database, ...positionals] : undefined;
  if (!databases === !values.all) throw new UsageError("name the databases to rebuild with --database KEY ..., or --all");
  // No Notion: neither the token nor the database ids are needed.
  const config = loadConfig({ env: processEnvironment(), requireToken: false, databaseIdsOptional: true });
  const keys = config.mapping.databases.map((d) => d.key);
  const unknown = (databases ?? []).filter((k) => !keys.includes(k));
  if (unknown.length > 0) throw new UsageError(`unknown database key ${unknown.join(", ")}; the mapping has ${keys.join(", ")}`);
  const chosen = config.mapping.databases.filter((d) => !databases || databases.includes(d.key));
  const strange = (values["replace-column"] ?? []).filter((name) => !chosen.some((d) => d.columns.some((c) => c.name === name)));
  if (strange.length > 0)
    throw new UsageError(`--replace-column ${strange.join(", ")}: no column of ${chosen.map((d) => d.key).join(", ")} has that column_name`);

  const logger = createLogger(config.log);
  const result = await runRebuild({ config, logger }, { databases, replaceColumns: values["replace-column"] ?? [], signal });
  const out = humanOutput(values.json ?? false);
  for (const outcome of result.databases) out.write(`${outcomeLine(outcome)}\n`);
  out.write(`  0 Notion requests; people's names and e-mails from ${result.users}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return result.ok ? EXIT.ok : EXIT.failed;
}

function outcomeLine(o: RebuildOutcome): string {
  if (!o.ok) return `✗ ${o.databaseKey.padEnd(14)} ${printable(o.error)}`;
  const replaced = o.replacedColumns.length > 0 ? `, type replaced: ${o.replacedColumns.join(", ")}` : "";
  return `✓ ${o.databaseKey.padEnd(14)} rebuilt from bronze: ${o.pages} pages, ${o.rows} rows, ${o.quarantined} quarantined, ${o.keptDeleted} kept deleted${replaced}`;
}
