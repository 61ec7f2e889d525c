import { readFileSync } from "node:fs";
import { afterAll, beforeAll, inject } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { createWarehouse, type Warehouse } from "../../src/warehouse/index.js";
import type { WarehouseObserver } from "../../src/warehouse/warehouse.js";
import { startLocalWarehouse, type LocalWarehouse } from "./local-warehouse/local-warehouse.js";

/**
 * The production path to Databricks on the suite's Spark: settings from the environment
 * (WAREHOUSE=databricks, DATABRICKS_HOST …), `createWarehouse`, `@databricks/sql` over HTTPS, to the
 * local warehouse. Nothing of the dialect or the session is replaced.
 */

/** A local warehouse for the tests of this file, started before them; after them no session may be left open. */
export function useLocalWarehouse(): () => LocalWarehouse {
  let warehouse: LocalWarehouse | undefined;
  beforeAll(async () => {
    const tls = inject("localWarehouseTls");
    warehouse = await startLocalWarehouse({
      sparkPort: inject("sparkPort"),
      tls: { cert: readFileSync(tls.certFile, "utf8"), key: readFileSync(tls.keyFile, "utf8") },
    });
  });
  afterAll(async () => {
    const open = warehouse?.openSessions() ?? 0;
    await warehouse?.close();
    if (open > 0) throw new Error(`${open} session(s) on the local warehouse were left open`);
  });
  return () => {
    if (!warehouse) throw new Error("the local warehouse is started in beforeAll");
    return warehouse;
  };
}

/** A warehouse opened as the worker opens it, with `env` over the local warehouse's variables. */
export async function openDriverWarehouse(local: LocalWarehouse, env: Record<string, string> = {}, observer: WarehouseObserver = {}): Promise<Warehouse> {
  const config = loadConfig({ env: { ...local.env(), ...env }, requireToken: false, databaseIdsOptional: true });
  return createWarehouse(config.warehouse, observer);
}
