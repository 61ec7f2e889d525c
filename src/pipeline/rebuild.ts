import type { Logger } from "pino";
import { clockToleranceMs, type AppConfig, type DatabaseConfig } from "../config/index.js";
import { SyncError } from "../errors.js";
import { createTransformer, type PageTransformer } from "../transform/index.js";
import type { NotionPage, UserDirectory } from "../transform/types.js";
import { bronzeTable, quarantineTable, silverTable, type Row, type TableSpec, type Warehouse } from "../warehouse/index.js";
import { quarantineRowsOf, silverRowOf, violationAction } from "./write-batch.js";

/** Pages re-derived per statement: more than a sync's batch, since nothing waits on Notion. */
export const REBUILD_BATCH = 1_000;

/** What a rebuild needs: the warehouse and the mapping, never Notion. */
export interface RebuildEnv {
  readonly config: AppConfig;
  readonly warehouse: Warehouse;
  readonly logger: Logger;
  readonly runId: string;
  readonly now: () => Date;
  /** People's names and e-mails where a page's own value lacks them (the directory the last sync read). */
  readonly users: UserDirectory;
  readonly signal?: AbortSignal;
}

export interface RebuildResult {
  readonly databaseKey: string;
  /** Pages whose newest bronze version was re-derived. */
  readonly pages: number;
  /** Rows the rebuilt silver table holds. */
  readonly rows: number;
  readonly quarantined: number;
  /** Rows kept deleted because the reconcile found their page gone from Notion. */
  readonly keptDeleted: number;
  readonly replacedColumns: readonly string[];
}

/**
 * Silver is a function of bronze and the mapping: re-derives a database's silver table (and its
 * quarantine rows) from the newest bronze version of each page with the current mapping, no Notion
 * request. The rows go to a table beside silver (`<key>__rebuild`), a batch at a time (bounded
 * memory, each batch an idempotent MERGE), and replace silver in one statement at the end: an
 * interrupted rebuild leaves silver as it was, and the next one starts over. A column whose type
 * changed is replaced only when named in `replaceColumns`.
 *
 * `propertyIds` (mapped name → Notion property id) finds each property in a page by its id, since an
 * older bronze version may carry a property's former name.
 */
export async function rebuildSilver(
  env: RebuildEnv,
  database: DatabaseConfig,
  propertyIds: Readonly<Record<string, string>>,
  replaceColumns: readonly string[] = [],
): Promise<RebuildResult> {
  const settings = env.config.mapping.settings;
  const silver = silverTable(database, settings);
  const rebuilt: TableSpec = { ...silver, name: `${silver.name}__rebuild` };
  await checkTypeChanges(env.warehouse, silver, database.key, replaceColumns);
  const silverExisted = await env.warehouse.tableExists(silver);
  await env.warehouse.ensureTables([bronzeTable(database, settings), quarantineTable(settings)]);
  await env.warehouse.dropTable(rebuilt);
  await env.warehouse.ensureTables([rebuilt]);

  const derived = await deriveAll(env, database, propertyIds, rebuilt);
  const keptDeleted = silverExisted ? await env.warehouse.keepUnseen(rebuilt, silver) : 0;
  await env.warehouse.replaceTable(silver, rebuilt);
  await env.warehouse.dropTable(rebuilt);
  const result = { databaseKey: database.key, ...derived, keptDeleted, replacedColumns: replaceColumns };
  env.logger.info(result, `rebuilt ${silver.schema}.${silver.name} from bronze`);
  return result;
}

/** Reads bronze in page-id order and writes each batch's rows into the table being built. */
async function deriveAll(env: RebuildEnv, database: DatabaseConfig, propertyIds: Readonly<Record<string, string>>, rebuilt: TableSpec) {
  const settings = env.config.mapping.settings;
  const bronze = bronzeTable(database, settings);
  const transformers = new Map<string, PageTransformer>();
  const transformerFor = (page: NotionPage) => {
    const names = namesOnPage(page, propertyIds);
    const signature = JSON.stringify([...names]);
    let transformer = transformers.get(signature);
    if (!transformer) transformers.set(signature, (transformer = createTransformer(database, settings.on_invalid, env.users, names)));
    return transformer;
  };
  const notAfter = new Date(env.now().getTime() + clockToleranceMs(settings)).toISOString();
  const stamp = { at: env.now().toISOString(), runId: env.runId, databaseKey: database.key, action: violationAction(settings.on_invalid) };
  let after = "";
  let pages = 0;
  let rows = 0;
  let quarantined = 0;
  for (;;) {
    if (env.signal?.aborted) throw new SyncError("shutdown", `rebuild of "${database.key}" stopped: silver is unchanged; run it again`);
    const batch = await env.warehouse.newestBronze(bronze, { after, notAfter, limit: REBUILD_BATCH });
    if (batch.length === 0) break;
    const silverRows: Row[] = [];
    const quarantine: Row[] = [];
    for (const { pageId, pageJson } of batch) {
      const page = parsePage(pageJson, pageId, bronze);
      const result = transformerFor(page).transform(page);
      if (result.silver) silverRows.push(silverRowOf(result.silver, stamp));
      if (result.violations.length > 0) quarantined += 1;
      quarantine.push(...quarantineRowsOf(page, result.violations, stamp));
    }
    await env.warehouse.upsertRows(rebuilt, silverRows);
    await env.warehouse.insertRows(quarantineTable(settings), quarantine);
    pages += batch.length;
    rows += silverRows.length;
    after = batch[batch.length - 1]!.pageId;
  }
  return { pages, rows, quarantined };
}

/** Mapped name → the name the page carries for that property (found by id; the mapped name where the id is unknown). */
export function namesOnPage(page: NotionPage, propertyIds: Readonly<Record<string, string>>): Map<string, string> {
  const byId = new Map<string, string>();
  for (const [name, value] of Object.entries(page.properties)) if (value && typeof value.id === "string") byId.set(value.id, name);
  const names = new Map<string, string>();
  for (const [mapped, id] of Object.entries(propertyIds)) names.set(mapped, byId.get(id) ?? mapped);
  return names;
}

function parsePage(json: string, pageId: string, bronze: TableSpec): NotionPage {
  try {
    return JSON.parse(json) as NotionPage;
  } catch (error) {
    throw new SyncError("state_invalid", `the bronze version of page ${pageId} in ${bronze.schema}.${bronze.name} is not JSON; resync it with --full`, {
      cause: error,
      context: { table: `${bronze.schema}.${bronze.name}` },
    });
  }
}

/** A column whose type changed is replaced only when asked by name; a name asked for that did not change is a mistake. */
async function checkTypeChanges(warehouse: Warehouse, silver: TableSpec, databaseKey: string, replaceColumns: readonly string[]): Promise<void> {
  const changes = await warehouse.typeChanges(silver);
  const unasked = changes.filter((c) => !replaceColumns.includes(c.column));
  if (unasked.length > 0) {
    const list = unasked.map((c) => `${c.column} is ${c.have} in the warehouse but ${c.want} in the mapping`).join("; ");
    throw new SyncError(
      "usage",
      `table ${silver.schema}.${silver.name}: ${list}; a rebuild replaces a column's type only when asked: add ${unasked.map((c) => `--replace-column ${c.column}`).join(" ")}`,
      { context: { databaseKey } },
    );
  }
  const unchanged = replaceColumns.filter((name) => !changes.some((c) => c.column === name));
  if (unchanged.length > 0) {
    throw new SyncError(
      "usage",
      `--replace-column ${unchanged.join(", ")}: no such column of ${silver.schema}.${silver.name} changed its type (columns that did: ${changes.map((c) => c.column).join(", ") || "none"})`,
      { context: { databaseKey } },
    );
  }
}
