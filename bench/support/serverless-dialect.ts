import type { Dialect, Driver } from "../../src/warehouse/index.js";
import type { ServerlessWarehouse, SimClock, UseKind } from "./serverless-warehouse.js";
import { statementKind } from "./statement-counts.js";

/**
 * Simulated latency of each use once the warehouse runs (the cold start comes on top when a use wakes
 * it): the figures for a serverless warehouse, 2 s per statement that writes (DDL too) and
 * 0.3 s per read, and 0.5 s to open a session. They move the simulated clock, never a real one.
 */
export const LATENCY_MS: Readonly<Record<UseKind, number>> = { session: 500, read: 300, write: 2_000, ddl: 2_000, run_record: 2_000 };

/**
 * The dialect with its driver in front of a serverless warehouse model: opening the driver is a
 * session, every statement a use (DESCRIBE, which the Databricks driver sends for `columnsOf`, a
 * read), each at the simulated clock's time, which then moves to when it ended. Staging a batch is no
 * statement on Databricks (a JSON parameter). What the inner driver answers is unchanged.
 */
export function serverlessDialect(dialect: Dialect, warehouse: ServerlessWarehouse, clock: SimClock, tag: string): Dialect {
  const use = (kind: UseKind) => clock.advanceTo(warehouse.use(clock.now(), kind, LATENCY_MS[kind], tag));
  return {
    ...dialect,
    createDriver: async () => {
      use("session");
      return modelDriver(await dialect.createDriver(), use);
    },
  };
}

function modelDriver(driver: Driver, use: (kind: UseKind) => void): Driver {
  return {
    execute: (sql, params) => (use(statementKind(sql)), driver.execute(sql, params)),
    query: (sql, params) => (use(statementKind(sql)), driver.query(sql, params)),
    stage: (table, rows) => driver.stage(table, rows),
    begin: () => (use("read"), driver.begin()),
    commit: () => (use("read"), driver.commit()),
    rollback: () => (use("read"), driver.rollback()),
    columnsOf: (schema, table) => (use("read"), driver.columnsOf(schema, table)),
    close: () => driver.close(),
  };
}
