import { ConfigError, formatIssue, loadConfig, type AppConfig, type DatabaseConfig } from "../config/index.js";
import { describeError, errorCodeOf, type ErrorCode } from "../errors.js";
import { createNotionGateway, resolveDataSource, type DataSourceSchema, type NotionGateway } from "../notion/index.js";
import { createEventBus } from "../observability/events.js";
import { describeHolder, fileWatermarkStore, lockHolder, writableOrCreatable, type WatermarkStore } from "../state/index.js";
import { bronzeTable, probeBatchSize, probeWarehouse, silverTable, warehouseFix } from "../warehouse/index.js";
import { unmappedProperties } from "./mapping-diff.js";
import { resolveProperties } from "./schema-check.js";
import { showWatermarks } from "./state-admin.js";

/** One preflight check: what was checked, whether it holds, what was seen, and how to fix it. */
export interface PreflightCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
  /** It holds, but is likely not what was meant (e.g. no catalog chosen). */
  readonly warning?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `npm run verify` (the runbook's verify-all): every setup problem it can find before a sync,
 * each with a fix hint. Checks that depend on a failed one are reported as not run. Never prints a
 * secret: Notion and warehouse messages carry none.
 */
export async function runPreflight(env: Env, options: { readonly probeBatchSize?: boolean } = {}): Promise<PreflightCheck[]> {
  const report = new Report();
  const config = checkConfig(env, report);
  if (!config) return report.checks;
  await checkNotion(config, report);
  await checkWarehouse(config, report);
  if (options.probeBatchSize) await checkBatchSize(config, report);
  await checkWatermarks(config, report);
  await checkLocalState(config, report);
  return report.checks;
}

class Report {
  readonly checks: PreflightCheck[] = [];
  pass(name: string, detail: string): void {
    this.checks.push({ name, ok: true, detail });
  }
  fail(name: string, detail: string, fix: string): void {
    this.checks.push({ name, ok: false, detail, fix });
  }
  /** Holds, but may not be what was meant: said, never failing the verify. */
  warn(name: string, detail: string, fix: string): void {
    this.checks.push({ name, ok: true, warning: true, detail, fix });
  }
}

/** The mapping, then the environment: nothing else can be checked without them. */
function checkConfig(env: Env, report: Report): AppConfig | undefined {
  try {
    loadConfig({ env, requireToken: false, databaseIdsOptional: true });
    report.pass("mapping", "parses and validates");
    const config = loadConfig({ env, requireToken: true });
    report.pass("environment", "every variable the mapping and Notion need is set");
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const environment = error.issues.some((i) => i.source === "environment" || /environment variable/.test(i.message));
    report.fail(
      environment ? "environment" : "mapping",
      error.issues.map(formatIssue).join("; "),
      environment ? "set the variables named above (see README, Environment)" : "fix the mapping lines named above",
    );
    return undefined;
  }
}

/** The token, then each database's access and properties (not without a token). */
async function checkNotion(config: AppConfig, report: Report): Promise<void> {
  const gateway = createNotionGateway({ settings: { ...config.notion, maxRetries: 2 }, events: createEventBus() });
  try {
    try {
      const me = await gateway.me("check the token");
      report.pass("notion token", `accepted (integration "${me.name ?? "unnamed"}")`);
    } catch (error) {
      // The databases cannot be checked without a token; the warehouse and local state still are.
      report.fail("notion token", describeError(error), tokenFix(errorCodeOf(error)));
      return;
    }
    const store = fileWatermarkStore(config.watermarkDir);
    for (const database of config.mapping.databases) await checkDatabase(gateway, config, database, store, report);
  } finally {
    await gateway.close();
  }
}

/** What to do when the token check fails: only a refused token is the token's fault. */
function tokenFix(code: ErrorCode): string {
  switch (code) {
    case "notion_unauthorized":
      return "create a new integration token and set NOTION_TOKEN";
    case "notion_unreachable":
    case "notion_network":
    case "notion_timeout":
      return "check NOTION_BASE_URL (unset for Notion's public API) and the network: proxy, firewall, DNS";
    default:
      return "check NOTION_BASE_URL and NOTION_TOKEN; the message above says what Notion answered";
  }
}

async function checkDatabase(gateway: NotionGateway, config: AppConfig, database: DatabaseConfig, store: WatermarkStore, report: Report): Promise<void> {
  let schema: DataSourceSchema;
  try {
    schema = await resolveDataSource(gateway, database, { count: 0 });
    report.pass(`${database.key}: access`, `shared; data source "${schema.title}" (${schema.dataSourceId})`);
  } catch (error) {
    report.fail(`${database.key}: access`, describeError(error), "share the database with the integration (••• → Connections) and check its id");
    return;
  }
  const previous = await store.get(database.key).catch(() => undefined);
  try {
    const resolved = resolveProperties(database, schema, previous?.propertyIds ?? {}, config.mapping.file);
    const renamed = resolved.renames.map((r) => `"${r.from}" is now "${r.to}"`).join(", ");
    // Information, not a failure: properties the mapping leaves out are simply not copied.
    const unmapped = unmappedProperties(database, schema, resolved.ids);
    const left = unmapped.length === 0 ? "" : `; not mapped (not copied): ${unmapped.map((n) => JSON.stringify(n)).join(", ")} (npm run mapping -- diff)`;
    // A rename does not stop the sync (it follows the property id), so it is reported, not failed.
    if (renamed)
      report.pass(
        `${database.key}: properties`,
        `all mapped properties exist; renamed in Notion: ${renamed}: the sync follows them by id; update notion_property in the mapping${left}`,
      );
    else report.pass(`${database.key}: properties`, `all ${database.columns.length} mapped properties exist with fitting types${left}`);
  } catch (error) {
    report.fail(`${database.key}: properties`, describeError(error), "change notion_property or column_type in the mapping, or the property in Notion");
  }
}

async function checkWarehouse(config: AppConfig, report: Report): Promise<void> {
  try {
    const settings = config.mapping.settings;
    const tables = config.mapping.databases.flatMap((d) => [bronzeTable(d, settings), silverTable(d, settings)]);
    const probe = await probeWarehouse(config.warehouse, tables);
    const created = probe.created ? "answers" : "the file will be created by the first sync";
    report.pass(
      "warehouse",
      probe.missing.length === 0
        ? `${created}; every table exists`
        : `${created}; ${probe.missing.length} tables will be created by the first sync (${probe.missing.slice(0, 3).join(", ")}${probe.missing.length > 3 ? ", …" : ""})`,
    );
    if (probe.defaultCatalog !== undefined)
      report.warn("catalog", defaultCatalogWarning(probe.defaultCatalog), "set DATABRICKS_CATALOG to the catalog the tables belong in");
  } catch (error) {
    report.fail("warehouse", describeError(error), warehouseFix(config.warehouse));
  }
}

/** `--probe-batch-size`: the largest parameter the warehouse takes, against the batches this mapping sends. */
async function checkBatchSize(config: AppConfig, report: Report): Promise<void> {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  try {
    const probe = await probeBatchSize(config.warehouse);
    if (!probe) return report.pass("batch size", "DuckDB takes a batch of any size (no statement to probe)");
    // The mapping's batch_max_bytes wins over the engine's size, as in batchLimits.
    const batch = config.mapping.settings.batch_max_bytes ?? probe.batchBytes;
    const seen =
      probe.refusedBytes === undefined
        ? `took ${mib(probe.acceptedBytes)}, the most tried`
        : `took ${mib(probe.acceptedBytes)} and refused ${mib(probe.refusedBytes)} as too large`;
    const detail = `one parameter: the warehouse ${seen} (${probe.statements} statements); batches carry up to ${mib(batch)}`;
    if (probe.acceptedBytes === 0)
      report.fail(
        "batch size",
        `the warehouse refused even ${mib(probe.refusedBytes ?? 0)} as too large`,
        "a gateway or proxy in front of the warehouse may limit request bodies: check its limit",
      );
    else if (batch <= probe.acceptedBytes) report.pass("batch size", detail);
    else
      report.fail(
        "batch size",
        `${detail}: a larger batch is split and sent again, a statement lost each time`,
        `set settings.batch_max_bytes to ${Math.floor(probe.acceptedBytes * 0.9)} or less in the mapping`,
      );
  } catch (error) {
    report.fail("batch size", describeError(error), warehouseFix(config.warehouse));
  }
}

function defaultCatalogWarning(catalog: string): string {
  const legacy = catalog === "hive_metastore" ? " (the legacy Hive metastore, outside Unity Catalog's grants and lineage)" : "";
  return `DATABRICKS_CATALOG is not set: the tables go to the workspace's default catalog \`${catalog}\`${legacy}`;
}

/** The local watermark files against the warehouse's copies (read-only; a warehouse that cannot be read was reported above). */
async function checkWatermarks(config: AppConfig, report: Report): Promise<void> {
  const state = await showWatermarks(
    config,
    config.mapping.databases.map((d) => d.key),
  );
  if (state.warehouseError) return;
  const differ = state.databases.filter((d) => !d.agree);
  if (differ.length === 0) {
    report.pass("watermarks", "the local copies and the warehouse's agree");
    return;
  }
  const at = (w: { lastEditedTime: string } | null | undefined) => (w ? w.lastEditedTime : "none");
  const detail = differ.map((d) => `${d.databaseKey}: the local copy (${at(d.file)}) and the warehouse's (${at(d.warehouse)}) differ`).join("; ");
  report.fail(
    "watermarks",
    detail,
    "the next sync reads from the older copy (in full where one is missing); `npm run watermarks -- reset --database KEY` resyncs a database in full",
  );
}

async function checkLocalState(config: AppConfig, report: Report): Promise<void> {
  const dir = writableOrCreatable(config.watermarkDir);
  if (dir.ok) report.pass("watermark directory", `${config.watermarkDir} ${dir.exists ? "is writable" : "can be created"}`);
  else report.fail("watermark directory", dir.reason, "make WATERMARK_DIR a writable directory (a volume in the container)");
  const holder = await lockHolder(config.watermarkDir, config.lockStaleAfterMs);
  if (holder) report.fail("run lock", `held by ${describeHolder(holder)}`, "wait for that sync to finish, or stop it");
  else report.pass("run lock", "free");
}
