import { readFileSync } from "node:fs";
import { loadConfig, processEnvironment } from "../config/index.js";
import { createWarehouse } from "../warehouse/index.js";
import { EXIT, UsageError, parseFlags, printHelp, printable } from "./cli-support.js";
import { asCsv, asJson, asTable, writeProblem } from "./sql-text.js";

export const SQL_HELP = `Usage: npm run sql -- "SELECT …" [--json | --csv] [--write]
       npm run sql -- --file FILE [--json | --csv] [--write]

Runs one query on the configured warehouse (WAREHOUSE: the DuckDB file of DUCKDB_PATH, or Databricks)
and prints its rows as a table, or as JSON or CSV alone on stdout. Nothing to install: the runbook's
queries work as they are, e.g.
  npx notion-delta-sync sql "SELECT * FROM ppm_gold.control_room_status ORDER BY checked_at DESC LIMIT 1"

Options:
  --file FILE   read the query from FILE
  --json        the rows as a JSON array
  --csv         the rows as CSV with a header line
  --write       allow statements that change the warehouse (refused otherwise)

Exit codes: 0 ok · 1 the warehouse refused the query · 2 bad usage, or a write without --write`;

export async function sqlCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    {
      file: { type: "string" },
      json: { type: "boolean" },
      csv: { type: "boolean" },
      write: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    true,
  );
  if (values.help) {
    printHelp(SQL_HELP);
    return EXIT.ok;
  }
  if (values.json && values.csv) throw new UsageError("--json and --csv exclude each other");
  if ((values.file === undefined) === (positionals.length === 0)) throw new UsageError('give the query as one argument ("SELECT …") or with --file');
  if (positionals.length > 1) throw new UsageError(`one query at a time (quote it): got ${positionals.length} arguments`);
  const sql = values.file === undefined ? positionals[0]! : readQuery(values.file);
  const problem = values.write ? undefined : writeProblem(sql);
  if (problem) throw new UsageError(problem);
  // No Notion request: the mapping's database ids need not be set, nor the token.
  const config = loadConfig({ env: processEnvironment(), requireToken: false, databaseIdsOptional: true });
  const warehouse = await createWarehouse(config.warehouse);
  try {
    const rows = await warehouse.sql.query(sql.trim().replace(/;\s*$/, ""));
    process.stdout.write(values.json ? asJson(rows) : values.csv ? asCsv(rows) : asTable(rows, printable));
    return EXIT.ok;
  } finally {
    await warehouse.close();
  }
}

function readQuery(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --file ${file}: ${(error as Error).message}`);
  }
}
