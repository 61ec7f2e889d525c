import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { loadConfig, loadNotionConfig, parseNotionId, processEnvironment } from "../config/index.js";
import { draftMapping, renderMapping, variableLines, type MappingDraft } from "../mapping/index.js";
import { createNotionGateway, discoverDataSources } from "../notion/index.js";
import { createEventBus } from "../observability/events.js";
import { describeChange, diffMapping } from "../pipeline/index.js";
import { EXIT, UsageError, parseFlags, printHelp, printable } from "./cli-support.js";

export const MAPPING_HELP = `Usage: npm run mapping -- init [--database URL|ID ...] [--out FILE] [--force] [--emails]
       npm run mapping -- diff [--json]

init   writes a mapping draft from the data sources' schemas: every data source shared with the
       integration (Notion's search), or those of the databases given. One column per property
       (snake_case names, unique, not the engine's own), its type from the Notion type (money →
       DECIMAL(18,2), dates → DATE or TIMESTAMP when values carry times, relations → ARRAY<STRING>
       with references, select/status → STRING with their options as values, formulas and rollups by
       their result type), ids as \${VAR}s. Prints the variables (NAME=id lines) on stdout.
  --database URL|ID   a database (or data source) to map (repeatable); default: all shared
  --out FILE          where to write (default MAPPING_PATH, config/notion_mapping.yaml); - for stdout
  --force             overwrite an existing file
  --emails            people columns get a second column of e-mails
diff   what changed in Notion against the mapping: new, renamed, removed and retyped properties
  --json              the changes as JSON on stdout
Exit codes: init 0 written · 1 Notion failed · 2 the file exists (without --force) or bad usage
            diff 0 no change · 1 changes (or a database cannot be read) · 2 bad config or usage`;

export async function mappingCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      database: { type: "string", multiple: true },
      out: { type: "string" },
      force: { type: "boolean" },
      emails: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    true,
  );
  if (values.help) {
    printHelp(MAPPING_HELP);
    return EXIT.ok;
  }
  const [action, ...extra] = positionals;
  if (extra.length > 0 && !values.database) throw new UsageError(`unexpected argument ${extra.map((p) => `"${p}"`).join(" ")}`);
  if (action === "init") {
    if (values.json) throw new UsageError("--json goes with diff");
    return initMapping({ databases: [...(values.database ?? []), ...extra], out: values.out, force: values.force ?? false, emails: values.emails ?? false });
  }
  if (action === "diff") {
    const initOnly = (["database", "out", "force", "emails"] as const).find((flag) => values[flag] !== undefined);
    if (initOnly) throw new UsageError(`--${initOnly} goes with init`);
    return showDiff(values.json ?? false);
  }
  throw new UsageError(action ? `unknown action "${action}" (init or diff)` : "give an action: init or diff");
}

interface InitOptions {
  readonly databases: readonly string[];
  readonly out: string | undefined;
  readonly force: boolean;
  readonly emails: boolean;
}

async function initMapping(options: InitOptions): Promise<number> {
  const ids = options.databases.map((text) => parseNotionId(text) ?? badId(text));
  const { notion, mappingPath } = loadNotionConfig(processEnvironment());
  const out = options.out ?? mappingPath;
  // Checked before anything is read: a mapping someone wrote is never overwritten by accident.
  if (out !== "-" && existsSync(out) && !options.force) {
    process.stderr.write(`error: ${out} exists; give --force to overwrite it, or --out FILE to write elsewhere\n`);
    return EXIT.usage;
  }
  const gateway = createNotionGateway({ settings: notion, events: createEventBus() });
  let draft: MappingDraft;
  try {
    const sources = await discoverDataSources(gateway, ids);
    if (sources.length === 0) {
      process.stderr.write("error: no data source is shared with the integration: share the databases (••• → Connections), or give --database\n");
      return EXIT.failed;
    }
    draft = draftMapping(sources, { emails: options.emails });
  } finally {
    await gateway.close();
  }
  const yaml = renderMapping(draft, new Date());
  if (out === "-") {
    process.stdout.write(yaml);
    process.stderr.write(`${variableLines(draft).join("\n")}\n`);
  } else {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, yaml, { flag: options.force ? "w" : "wx" });
    process.stdout.write(`${variableLines(draft).join("\n")}\n`);
  }
  process.stderr.write(`${summary(draft, out)}\n`);
  return EXIT.ok;
}

function badId(text: string): never {
  throw new UsageError(`--database ${JSON.stringify(text)} is not a Notion database id or URL`);
}

function summary(draft: MappingDraft, out: string): string {
  const columns = draft.databases.reduce((n, d) => n + d.columns.length, 0);
  const skipped = draft.databases.flatMap((d) => d.skipped.map((s) => `${d.key}."${s.property}" (${s.reason})`));
  const lines = [
    `${out === "-" ? "printed" : `wrote ${out}`}: ${draft.databases.length} databases (${draft.databases.map((d) => d.key).join(", ")}), ${columns} columns`,
    ...(skipped.length > 0 ? [`not mapped: ${skipped.join("; ")}`] : []),
    "next: set the variables above (e.g. save them as notion.env), then `npx notion-delta-sync verify` and `sync`",
  ];
  return lines.map(printable).join("\n");
}

async function showDiff(json: boolean): Promise<number> {
  const config = loadConfig({ env: processEnvironment(), requireToken: true });
  const changes = await diffMapping(config);
  if (json) process.stdout.write(`${JSON.stringify({ changed: changes.length > 0, changes }, null, 2)}\n`);
  else if (changes.length === 0) process.stdout.write(`no change: the mapping maps every property of its ${config.mapping.databases.length} databases\n`);
  else process.stdout.write(`${changes.map((c) => printable(describeChange(c))).join("\n")}\n`);
  return changes.length === 0 ? EXIT.ok : EXIT.failed;
}
