import type { WarehouseSettings } from "../config/index.js";
import type { Dialect } from "./dialect.js";
import { databricksEngine } from "./databricks/databricks-engine.js";
import { duckDbEngine } from "./duckdb/duckdb-engine.js";
import type { ProbeResult, StateMark, WarehouseEngine } from "./engine.js";
import { openWarehouse } from "./sql-warehouse.js";
import { probeStatementSize, type StatementSizeProbe } from "./statement-size.js";
import type { TableSpec } from "./table-spec.js";
import type { Warehouse, WarehouseObserver } from "./warehouse.js";

/** An engine with its settings bound. */
interface BoundEngine {
  dialect(options: { readonly readOnly: boolean; readonly observer: WarehouseObserver }): Dialect;
  probe(tables: readonly Pick<TableSpec, "schema" | "name">[]): Promise<ProbeResult>;
  fixHint(): string;
  stateMark(): Promise<StateMark | undefined>;
}

/**
 * The registry of engines: the one place that maps a configured engine to its module. Driver
 * packages are loaded only when a connection is opened.
 */
function engineOf(settings: WarehouseSettings): BoundEngine {
  switch (settings.kind) {
    case "duckdb":
      return bind(duckDbEngine, settings);
    case "databricks":
      return bind(databricksEngine, settings);
  }
}

function bind<S>(engine: WarehouseEngine<S>, settings: S): BoundEngine {
  return {
    dialect: (options) => engine.dialect(settings, options),
    probe: (tables) => engine.probe(settings, tables),
    fixHint: () => engine.fixHint(settings),
    stateMark: () => engine.stateMark(settings),
  };
}

export async function createWarehouse(
  settings: WarehouseSettings,
  observer: WarehouseObserver = {},
  options: { readonly readOnly?: boolean } = {},
): Promise<Warehouse> {
  return openWarehouse(engineOf(settings).dialect({ readOnly: options.readOnly ?? false, observer }));
}

/** What `verify` may know about the warehouse without changing it: whether it answers, and which of the given tables are missing. */
export function probeWarehouse(settings: WarehouseSettings, tables: readonly Pick<TableSpec, "schema" | "name">[]): Promise<ProbeResult> {
  return engineOf(settings).probe(tables);
}

/**
 * The largest statement parameter the warehouse of these settings takes (`verify --probe-batch-size`),
 * with the batch size the engine uses; undefined for an engine that has no limit to find (DuckDB).
 */
export async function probeBatchSize(settings: WarehouseSettings): Promise<(StatementSizeProbe & { readonly batchBytes: number }) | undefined> {
  if (settings.kind !== "databricks") return undefined;
  const dialect = engineOf(settings).dialect({ readOnly: true, observer: {} });
  const warehouse = await openWarehouse(dialect);
  try {
    return { ...(await probeStatementSize(warehouse)), batchBytes: dialect.capabilities.batch.maxBytes };
  } finally {
    await warehouse.close();
  }
}

/** What this machine tells of the warehouse without a session, for a quiet run (`StateMark`). */
export function warehouseStateMark(settings: WarehouseSettings): Promise<StateMark | undefined> {
  return engineOf(settings).stateMark();
}

/** What to check when the warehouse of these settings cannot be reached or opened. */
export function warehouseFix(settings: WarehouseSettings): string {
  return engineOf(settings).fixHint();
}
