import { loadStateConfig, processEnvironment } from "../config/index.js";
import { fileWatermarkStore } from "../state/index.js";
import { EXIT, UsageError, parseFlags, printHelp } from "./cli-support.js";

export const WATERMARKS_HELP = `Usage: npm run watermarks -- show [--database KEY ...] [--json]
       npm run watermarks -- reset (--database KEY ... | --all)

show   prints each database's watermark (time, run id, mapping hash)
reset  forgets watermarks: the next sync of those databases is a full resync`;

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
  // Only the keys and the directory: a reset must work without tokens or database ids set.
  const config = loadStateConfig(processEnvironment());
  const keys = config.databaseKeys;
  const unknown = (values.database ?? []).filter((k) => !keys.includes(k));
  if (unknown.length > 0) throw new UsageError(`unknown database key ${unknown.join(", ")}; the mapping has ${keys.join(", ")}`);
  const store = fileWatermarkStore(config.watermarkDir);

  if (action === "show") {
    if (values.all) throw new UsageError("--all goes with reset");
    const wanted = values.database ?? keys;
    const shown = [];
    for (const key of wanted) shown.push({ databaseKey: key, watermark: (await store.get(key)) ?? null });
    if (values.json) process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    else
      for (const { databaseKey, watermark } of shown)
        process.stdout.write(
          watermark
            ? `${databaseKey.padEnd(14)} ${watermark.lastEditedTime}  run ${watermark.runId}  mapping ${watermark.mappingHash.slice(0, 12)}\n`
            : `${databaseKey.padEnd(14)} (none: next sync is a full resync)\n`,
        );
    return EXIT.ok;
  }
  if (action === "reset") {
    if (values.json) throw new UsageError("--json goes with show");
    if (values.all && values.database) throw new UsageError("give either --all or --database, not both");
    if (!values.all && !values.database) throw new UsageError("reset needs --database KEY or --all");
    for (const key of values.all ? keys : (values.database ?? [])) {
      const existed = await store.reset(key);
      process.stdout.write(`${key}: ${existed ? "watermark removed; next sync is a full resync" : "had no watermark"}\n`);
    }
    return EXIT.ok;
  }
  throw new UsageError(action ? `unknown action "${action}" (show or reset)` : "give an action: show or reset");
}
