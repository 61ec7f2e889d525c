import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { Client } from "@notionhq/client";
import { loadConfig, SILVER_COLUMNS as S, type AppConfig } from "../config/index.js";
import type { DatabaseSummary } from "../observability/events.js";
import { createLogger } from "../observability/logger.js";
import { runSync } from "../pipeline/index.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { dqIssuesTable, runDqChecks } from "../quality/index.js";
import { bronzeTable, createWarehouse, silverTable, type Warehouse } from "../warehouse/index.js";
import { EXIT, UsageError, parseFlags, printable } from "./cli-support.js";
import { summaryLine } from "./sync-command.js";

export const DEMO_HELP = `Usage: npm run demo [-- --dir DIR]

No set-up needed: starts the local Notion sandbox, syncs the shipped mapping into an embedded DuckDB file,
edits and trashes a few pages through the Notion API, syncs again incrementally, and prints a report.
  --dir DIR   where the demo's DuckDB file and watermarks go (default data/demo; the demo's own files
              there are replaced, nothing else is touched)`;

/** The demo's report is its result: on stdout. */
const say = (line = "") => process.stdout.write(`${line}\n`);

export async function demoCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { dir: { type: "string" }, help: { type: "boolean", short: "h" } }, true);
  if (values.help) {
    say(DEMO_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals.join(" ")}`);
  const dir = resolve(values.dir ?? "data/demo");
  for (const own of ["warehouse.duckdb", "warehouse.duckdb.wal", "watermarks"]) rmSync(join(dir, own), { recursive: true, force: true });
  const sandbox = await startSandbox({ seed: 1, rps: 10, burst: 10 });
  try {
    const duckdbPath = `${dir}/warehouse.duckdb`;
    const env = {
      ...sandbox.env(),
      WAREHOUSE: "duckdb",
      DUCKDB_PATH: duckdbPath,
      WATERMARK_DIR: `${dir}/watermarks`,
      NOTION_RPS: "8",
      NOTION_BURST: "8",
      LOG_LEVEL: "warn",
    };
    const config = loadConfig({ env, requireToken: true });
    const logger = createLogger({ level: "warn", format: "auto" });
    say(`Notion sandbox at ${sandbox.url} (a seeded finance PPM workspace; the real @notionhq/client talks to it)`);
    say("\n1. First sync: every page of the five databases, paced at 8 requests/s");
    const first = await runSync({ config, logger });
    first.summaries.forEach((s) => say(`  ${summaryLine(s)}`));

    say("\n2. Editing Notion through its API: 3 budget lines' actuals, a project renamed, a risk trashed, a milestone created");
    const edits = await editWorkspace(sandbox);
    edits.forEach((e) => say(`  - ${e}`));

    say("\n3. Second sync: incremental, from each watermark");
    const second = await runSync({ config, logger });
    second.summaries.forEach((s) => say(`  ${summaryLine(s)}`));
    for (const s of second.summaries) {
      const r = s.dependentRefresh;
      if (r && (r.pagesRead > 0 || r.deferred > 0))
        say(
          `  ↳ dependent refresh after ${s.databaseKey}: ${r.pagesRead} page${r.pagesRead === 1 ? "" : "s"} of ${r.databases.join(", ")} re-read for their rollups and formulas, ${r.rowsUpserted} changed, ${r.requests} requests${r.deferred ? `, ${r.deferred} left for the reconcile` : ""}`,
        );
    }

    await report(config, duckdbPath, second.runId, second.summaries, new Date());
    return first.ok && second.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await sandbox.close();
  }
}

async function editWorkspace(sandbox: Sandbox): Promise<string[]> {
  const notion = new Client({ auth: sandbox.token, baseUrl: sandbox.url });
  const ids = (key: string) => sandbox.store.pageIds(sandbox.databases[key]!.dataSourceId);
  const lines = ids("budget_lines").slice(0, 3);
  for (const [i, id] of lines.entries()) await notion.pages.update({ page_id: id, properties: { Actual: { number: 1000 * (i + 1) + 0.5 } } });
  const project = ids("projects")[0]!;
  await notion.pages.update({
    page_id: project,
    properties: { Name: { title: [{ text: { content: "Treasury Platform (renamed in the demo)" } }] }, Status: { status: { name: "Blocked" } } },
  });
  const risk = ids("risks")[0]!;
  await notion.pages.update({ page_id: risk, in_trash: true });
  const milestone = await notion.pages.create({
    parent: { type: "data_source_id", data_source_id: sandbox.databases.milestones!.dataSourceId },
    properties: {
      Milestone: { title: [{ text: { content: "Demo go-live" } }] },
      Due: { date: { start: "2026-12-15" } },
      Project: { relation: [{ id: project }] },
    },
  });
  return [
    `budget_lines ${lines.join(", ")}: Actual set`,
    `projects ${project}: renamed, status Blocked`,
    `risks ${risk}: moved to the trash`,
    `milestones ${milestone.id}: created`,
  ];
}

/** The finance check: each live project's actual_total (a rollup) against the sum of its live budget lines. */
async function checkRollups(warehouse: Warehouse, config: AppConfig): Promise<void> {
  const silver = (name: string) => warehouse.sql.tableName({ schema: config.mapping.settings.schemas.silver, name });
  const [row] = await warehouse.sql.query(
    `SELECT count(*) AS projects, count(*) FILTER (WHERE coalesce(p.actual_total, 0) <> coalesce(l.total, 0)) AS wrong FROM ${silver("projects")} p ` +
      `LEFT JOIN (SELECT project_id, sum(actual_amount) AS total FROM ${silver("budget_lines")} WHERE NOT ${S.isDeleted} GROUP BY project_id) l ON l.project_id = p.${S.pageId} WHERE NOT p.${S.isDeleted}`,
  );
  const wrong = Number(row?.wrong ?? 0);
  const projects = Number(row?.projects ?? 0);
  say(
    wrong === 0
      ? `  rollups: every project's actual_total equals the sum of its live budget lines (${projects} of ${projects})`
      : `  rollups: ${wrong} of ${projects} projects' actual_total differ from the sum of their live budget lines`,
  );
}

async function report(config: AppConfig, duckdbPath: string, secondRunId: string, summaries: readonly DatabaseSummary[], now: Date): Promise<void> {
  const warehouse: Warehouse = await createWarehouse(config.warehouse);
  try {
    say("\n4. What the warehouse holds");
    say(
      `  ${"database".padEnd(14)} ${"silver rows".padStart(11)} ${"deleted".padStart(8)} ${"bronze versions".padStart(16)} ${"changed by run 2".padStart(17)}`,
    );
    const settings = config.mapping.settings;
    for (const database of config.mapping.databases) {
      const { key } = database;
      const silver = warehouse.sql.tableName(silverTable(database, settings));
      const bronze = warehouse.sql.tableName(bronzeTable(database, settings));
      const [row] = await warehouse.sql.query(
        `SELECT (SELECT count(*) FROM ${silver}) AS silver, (SELECT count(*) FROM ${silver} WHERE ${S.isDeleted}) AS deleted, (SELECT count(*) FROM ${bronze}) AS bronze, (SELECT count(*) FROM ${silver} WHERE ${S.runId} = ${warehouse.sql.functions.param("run")}) AS changed`,
        { run: secondRunId },
      );
      say(
        `  ${key.padEnd(14)} ${String(row?.silver).padStart(11)} ${String(row?.deleted).padStart(8)} ${String(row?.bronze).padStart(16)} ${String(row?.changed).padStart(17)}`,
      );
    }
    const requests = summaries.reduce((n, s) => n + s.notionRequests, 0);
    say(`  (run 2 made ${requests} Notion requests for ${summaries.reduce((n, s) => n + s.pagesRead, 0)} pages)`);

    await checkRollups(warehouse, config);

    say("\n5. Data-quality checks (npm run dq): ppm_gold.dq_issues, worst first");
    const dq = await runDqChecks(warehouse.sql, config, { runId: `${secondRunId}-dq`, now });
    say(`  score ${dq.score.toFixed(2)} (threshold ${dq.threshold}); ${dq.issuesTotal} problems`);
    const issues = await warehouse.sql.query(
      `SELECT severity, rule, database_key, page_id, message FROM ${warehouse.sql.tableName(dqIssuesTable(settings))} ORDER BY severity DESC, database_key`,
    );
    for (const i of issues) say(`  - ${String(i.severity)} ${String(i.rule)} ${String(i.database_key)} ${String(i.page_id)}: ${printable(String(i.message))}`);

    say("\n6. Try it yourself");
    say(`  DuckDB file: ${duckdbPath}`);
    const sql = `SELECT name, status, budget, actual_total, is_over_budget FROM ${warehouse.sql.tableName({ schema: settings.schemas.silver, name: "projects" })} WHERE NOT ${S.isDeleted} ORDER BY budget DESC NULLS LAST LIMIT 5`;
    // A command that works as printed (the package's own `sql` command, nothing else to install), single-quoted
    // for the shell: the query's identifiers are double-quoted, the path may hold spaces.
    const shellQuoted = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
    say(`  DUCKDB_PATH=${shellQuoted(duckdbPath)} npx notion-delta-sync sql ${shellQuoted(sql)}`);
    for (const row of await warehouse.sql.query(sql)) say(`    ${JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v))}`);
    say("  Run a real sync with NOTION_TOKEN and NOTION_<KEY>_DB set: npx notion-delta-sync sync (see README.md).");
  } finally {
    await warehouse.close();
  }
}
