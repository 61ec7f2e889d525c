import { setTimeout as sleep } from "node:timers/promises";
import type { StatementSession } from "../../src/warehouse/databricks/databricks-driver.js";

/** Wall time a statement takes on the modelled warehouse. */
export interface StatementLatency {
  /** A statement that changes data or schema (MERGE, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP). */
  readonly writeMs: number;
  /** Anything else (SELECT, DESCRIBE). */
  readonly readMs: number;
}

const CHANGES = /^\s*(?:MERGE|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP)\b/i;
const LEASE_TABLE = /\bsync_leases`/;

/**
 * A Databricks session that records instead of running: the real Databricks driver sits on it (its
 * staging, size check and retries run as they would), every table is absent (DESCRIBE answers
 * TABLE_OR_VIEW_NOT_FOUND, as a new warehouse would), reads answer no rows, and the lease read
 * answers the lease the run just claimed (one process, nobody else holds it), which is what a full
 * sync into an empty warehouse sees. With `latency`, each statement takes that long before it answers.
 */
export function recordingSession(latency?: StatementLatency): StatementSession {
  let claimed: Record<string, unknown>[] = [];
  return {
    async run(sql, params) {
      if (latency) await sleep(CHANGES.test(sql) ? latency.writeMs : latency.readMs);
      if (sql.startsWith("DESCRIBE"))
        throw Object.assign(new Error("[TABLE_OR_VIEW_NOT_FOUND] recorded: no table exists. SQLSTATE: 42P01"), { sqlState: "42P01" });
      if (!LEASE_TABLE.test(sql)) return [];
      if (sql.startsWith("MERGE")) claimed = JSON.parse(String(params.nds_rows ?? "[]")) as Record<string, unknown>[];
      if (!sql.startsWith("SELECT")) return [];
      const until = new Date(Date.now() + 600_000).toISOString();
      return claimed.map((row) => ({ ...row, expires_at: until }));
    },
    close: () => Promise.resolve(),
  };
}
