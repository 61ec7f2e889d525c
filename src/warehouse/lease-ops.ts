import type { Driver } from "./dialect.js";
import { cellText, isoOf, read, run, withStaged } from "./statements.js";
import type { SqlText } from "./sync-sql.js";
import type { LeaseHolder, Warehouse } from "./warehouse.js";

/**
 * The lease's statements (see `pipeline/run-lease.ts`), on any engine: the warehouse's own clock
 * decides when a lease has expired, so the hosts' clocks never have to agree.
 */
export function leaseOps(driver: Driver, text: SqlText): Pick<Warehouse, "takeLeases" | "renewLeases" | "releaseLeases"> {
  const { q, fn } = text;
  const until = (ttlSeconds: number) => expiry(text, ttlSeconds);
  const keyList = (keys: readonly string[]) => ({
    markers: keys.map((_k, i) => fn.param(`k${i}`)).join(", "),
    params: Object.fromEntries(keys.map((k, i) => [`k${i}`, k])),
  });

  return {
    async takeLeases(table, claim) {
      if (claim.keys.length === 0) return [];
      const rows = claim.keys.map((key) => ({
        database_key: key,
        owner: claim.owner,
        run_id: claim.runId,
        host: claim.host,
        taken_at: null,
        expires_at: null,
      }));
      await withStaged(driver, table, rows, (staged) =>
        run(driver, "take the lease", takeLeaseSql(text, text.tableName(table), staged.source, claim.ttlSeconds), table, staged.params),
      );
      const { markers, params } = keyList(claim.keys);
      const holders = await read(
        driver,
        "read the lease",
        `SELECT ${["database_key", "owner", "run_id", "host", "expires_at"].map(q).join(", ")} FROM ${text.tableName(table)} WHERE ${q("database_key")} IN (${markers}) ORDER BY ${q("database_key")}, ${q("taken_at")}, ${q("owner")}`,
        table,
        params,
      );
      return holders.map(holderOf);
    },
    async renewLeases(table, renewal) {
      if (renewal.keys.length === 0) return 0;
      const { markers, params } = keyList(renewal.keys);
      const renewed = await run(
        driver,
        "renew the lease",
        `UPDATE ${text.tableName(table)} SET ${q("expires_at")} = ${until(renewal.ttlSeconds)} WHERE ${q("owner")} = ${fn.param("owner")} AND ${q("database_key")} IN (${markers})`,
        table,
        { ...params, owner: renewal.owner },
      );
      return renewed ?? renewal.keys.length;
    },
    async releaseLeases(table, owner) {
      // Expired, not deleted: the next take updates this row, so two racing takers modify the same row
      // (a conflict even under Delta's row-level concurrency) instead of inserting two.
      await run(
        driver,
        "release the lease",
        `UPDATE ${text.tableName(table)} SET ${q("expires_at")} = ${expiry(text, 0)} WHERE ${q("owner")} = ${fn.param("owner")}`,
        table,
        {
          owner,
        },
      );
    },
  };
}

/** The warehouse's clock, as a TIMESTAMP. */
const clock = (text: SqlText) => `CAST(${text.fn.now()} AS TIMESTAMP)`;
const expiry = (text: SqlText, ttlSeconds: number) => `${clock(text)} + INTERVAL ${Math.trunc(ttlSeconds)} SECONDS`;

/** Takes each staged key's lease that is free, expired or already the claimant's; a live lease of another is left alone. */
function takeLeaseSql(text: SqlText, target: string, source: string, ttlSeconds: number): string {
  const { q } = text;
  const own = ["database_key", "owner", "run_id", "host"].map(q);
  const key = q("database_key");
  const now = clock(text);
  return (
    `MERGE INTO ${target} t USING (SELECT ${own.join(", ")} FROM ${source}) s ON t.${key} = s.${key} ` +
    `WHEN MATCHED AND (t.${q("owner")} = s.${q("owner")} OR t.${q("expires_at")} < ${now}) THEN UPDATE SET ` +
    `${own
      .slice(1)
      .map((c) => `${c} = s.${c}`)
      .join(", ")}, ${q("taken_at")} = ${now}, ${q("expires_at")} = ${expiry(text, ttlSeconds)} ` +
    `WHEN NOT MATCHED THEN INSERT (${[...own, q("taken_at"), q("expires_at")].join(", ")}) VALUES (${own.map((c) => `s.${c}`).join(", ")}, ${now}, ${expiry(text, ttlSeconds)})`
  );
}

function holderOf(r: Record<string, unknown>): LeaseHolder {
  return { databaseKey: cellText(r.database_key), owner: cellText(r.owner), runId: cellText(r.run_id), host: cellText(r.host), expiresAt: isoOf(r.expires_at) };
}
