import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import type { Warehouse } from "../../src/warehouse/index.js";
import { runCli } from "../support/cli.js";
import { openDriverWarehouse, useLocalWarehouse } from "./driver-target.js";
import { uniquePrefix } from "./spark-target.js";

const local = useLocalWarehouse();

/**
 * Two hosts, one Databricks warehouse: two `sync` processes with their own state directories (so
 * their run locks never meet) against the same warehouse. The lease in `ppm_meta.sync_leases` lets
 * one sync while the other reports who holds it and exits 1; once the first is done, the lease is free.
 */
describe("the lease across hosts, through @databricks/sql on the local warehouse", () => {
  /** Host A's Notion answers slowly (the same workspace: same seed), so that B asks while A syncs. */
  let slow: Sandbox;
  let sandbox: Sandbox;
  let dir: string;
  let reader: Warehouse;
  let leases: string;
  const DATABASES = ["--database", "programs", "milestones"];
  const hostEnv = (name: string): Record<string, string> => ({
    ...(name === "a" ? slow : sandbox).env(),
    ...local().env(),
    MAPPING_PATH: join(dir, "mapping.yaml"),
    WATERMARK_DIR: join(dir, name, "watermarks"),
    DUCKDB_PATH: join(dir, name, "unused.duckdb"),
    NOTION_RPS: "40",
    NOTION_BURST: "5",
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? "",
    NO_COLOR: "1",
  });

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 3, scale: 60 });
    slow = await startSandbox({ seed: 3, scale: 60, latencyMs: 3_000 });
    dir = mkdtempSync(join(tmpdir(), "nds-lease-"));
    const prefix = uniquePrefix();
    writeFileSync(
      join(dir, "mapping.yaml"),
      readFileSync("config/notion_mapping.yaml", "utf8").replace(
        /^settings:\n/m,
        `settings:\n  schemas: { bronze: ${prefix}_bronze, silver: ${prefix}_silver, meta: ${prefix}_meta, gold: ${prefix}_gold }\n`,
      ),
    );
    reader = await openDriverWarehouse(local());
    leases = reader.sql.tableName({ schema: `${prefix}_meta`, name: "sync_leases" });
  });

  afterAll(async () => {
    await reader?.close();
    await sandbox?.close();
    await slow?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The lease rows while host A syncs: polled until A holds its databases. */
  async function leaseRowsOnceTaken(deadline: number): Promise<Record<string, unknown>[]> {
    for (;;) {
      const rows = await reader.sql.query(`SELECT database_key, run_id, host FROM ${leases}`).catch(() => []);
      if (rows.length > 0) return rows;
      if (Date.now() > deadline) throw new Error("host A never took a lease");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  it("lets one process sync while the other reports the lease and exits 1; the lease is free afterwards", async () => {
    const a = runCli(["sync", ...DATABASES, "--json"], hostEnv("a"), 600_000);
    const held = await leaseRowsOnceTaken(Date.now() + 300_000);
    const runA = String(held[0]!.run_id);
    expect(held.every((r) => r.run_id === runA && r.host === hostname())).toBe(true);

    const b = await runCli(["sync", ...DATABASES, "--json"], hostEnv("b"), 600_000);
    const first = await a;
    expect(first.code, first.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(1);
    const report = JSON.parse(b.stdout) as { summaries: { databaseKey: string; status: string; error: string | null; errorCode: string | null }[] };
    // Every database A held at the moment B asked is skipped by B, naming A's host, run and lease end.
    const refused = report.summaries.filter((s) => s.errorCode === "lease_held");
    expect(refused.map((s) => s.databaseKey).sort()).toEqual(["milestones", "programs"]);
    expect(held.map((r) => String(r.database_key)).sort()).toEqual(["milestones", "programs"]);
    for (const s of refused) {
      expect(s.status).toBe("skipped");
      expect(s.error).toMatch(new RegExp(`^lease held by ${hostname()} run ${runA} until \\d{4}-\\d{2}-\\d{2}`));
    }
    expect(report.summaries.some((s) => s.status === "failed")).toBe(false);

    // A released its leases at its end (expired in place, by the warehouse's clock): B now syncs.
    expect(await reader.sql.query(`SELECT database_key FROM ${leases} WHERE expires_at > current_timestamp()`)).toEqual([]);
    expect((await reader.sql.query(`SELECT run_id FROM ${leases}`)).map((r) => r.run_id)).toEqual([runA, runA]);
    const again = await runCli(["sync", ...DATABASES, "--json"], hostEnv("b"), 600_000);
    expect(again.code, again.stderr).toBe(0);
  }, 900_000);
});
