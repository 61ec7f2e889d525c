import { ConfigError, formatIssue, loadConfig, type AppConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import { createNotionGateway, resolveDataSource } from "../notion/index.js";
import { createEventBus } from "../observability/events.js";
import { fileWatermarkStore, describeHolder, lockHolder, writableOrCreatable } from "../state/index.js";
import { bronzeTable, probeWarehouse, silverTable, warehouseFix } from "../warehouse/index.js";
import { resolveProperties } from "./schema-check.js";

/** One preflight check: what was checked, whether it holds, what was seen, and how to fix it. */
export interface PreflightCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `npm run verify` (the runbook's verify-all): every setup problem it can find before a sync,
 * each with a fix hint. Checks that depend on a failed one are reported as not run. Never prints a
 * secret: Notion and warehouse messages carry none.
 */
export async function runPreflight(env: Env): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  const pass = (name: string, detail: string) => checks.push({ name, ok: true, detail });
  const fail = (name: string, detail: string, fix: string) => checks.push({ name, ok: false, detail, fix });

  let config: AppConfig | undefined;
  try {
    loadConfig({ env, requireToken: false, databaseIdsOptional: true });
    pass("mapping", "parses and validates");
    config = loadConfig({ env, requireToken: true });
    pass("environment", "every variable the mapping and Notion need is set");
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const env = error.issues.some((i) => i.source === "environment" || /environment variable/.test(i.message));
    fail(env ? "environment" : "mapping", error.issues.map(formatIssue).join("; "), env ? "set the variables named above (see README, Environment)" : "fix the mapping lines named above");
    return checks;
  }

  const gateway = createNotionGateway({ settings: { ...config.notion, maxRetries: 2 }, events: createEventBus() });
  try {
    let tokenOk = true;
    try {
      const me = await gateway.me("check the token");
      pass("notion token", `accepted (integration "${me.name ?? "unnamed"}")`);
    } catch (error) {
      fail("notion token", describeError(error), "create a new integration token and set NOTION_TOKEN");
      // The databases cannot be checked without a token; the warehouse and local state still are.
      tokenOk = false;
    }
    const store = fileWatermarkStore(config.watermarkDir);
    for (const database of tokenOk ? config.mapping.databases : []) {
      try {
        const schema = await resolveDataSource(gateway, database, { count: 0 });
        pass(`${database.key}: access`, `shared; data source "${schema.title}" (${schema.dataSourceId})`);
        const previous = await store.get(database.key).catch(() => undefined);
        try {
          const resolved = resolveProperties(database, schema, previous?.propertyIds ?? {}, config.mapping.file);
          const renamed = resolved.renames.map((r) => `"${r.from}" is now "${r.to}"`).join(", ");
          // A rename does not stop the sync (it follows the property id), so it is reported, not failed.
          if (renamed) pass(`${database.key}: properties`, `all mapped properties exist; renamed in Notion: ${renamed}: the sync follows them by id; update notion_property in the mapping`);
          else pass(`${database.key}: properties`, `all ${database.columns.length} mapped properties exist with fitting types`);
        } catch (error) {
          fail(`${database.key}: properties`, describeError(error), "change notion_property or column_type in the mapping, or the property in Notion");
        }
      } catch (error) {
        fail(`${database.key}: access`, describeError(error), "share the database with the integration (••• → Connections) and check its id");
      }
    }
  } finally {
    await gateway.close();
  }

  try {
    const settings = config.mapping.settings;
    const tables = config.mapping.databases.flatMap((d) => [bronzeTable(d, settings), silverTable(d, settings)]);
    const probe = await probeWarehouse(config.warehouse, tables);
    const created = probe.created ? "answers" : "the file will be created by the first sync";
    pass("warehouse", probe.missing.length === 0 ? `${created}; every table exists` : `${created}; ${probe.missing.length} tables will be created by the first sync (${probe.missing.slice(0, 3).join(", ")}${probe.missing.length > 3 ? ", …" : ""})`);
  } catch (error) {
    fail("warehouse", describeError(error), warehouseFix(config.warehouse));
  }

  const dir = writableOrCreatable(config.watermarkDir);
  if (dir.ok) pass("watermark directory", `${config.watermarkDir} ${dir.exists ? "is writable" : "can be created"}`);
  else fail("watermark directory", dir.reason, "make WATERMARK_DIR a writable directory (a volume in the container)");

  const holder = await lockHolder(config.watermarkDir, config.lockStaleAfterMs);
  if (holder) fail("run lock", `held by ${describeHolder(holder)}`, "wait for that sync to finish, or stop it");
  else pass("run lock", "free");
  return checks;
}
