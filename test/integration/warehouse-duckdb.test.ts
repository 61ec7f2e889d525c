import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseMapping } from "../../src/config/index.js";
import { spawn } from "node:child_process";
import { SyncError } from "../../src/errors.js";
import { WarehouseError } from "../../src/warehouse/warehouse-error.js";
import { bronzeTable, createWarehouse, quarantineTable, silverTable } from "../../src/warehouse/index.js";
import { warehouseContract } from "./warehouse-contract.js";

warehouseContract("duckdb", { open: () => createWarehouse({ kind: "duckdb", path: ":memory:", memoryLimit: "256MB", threads: 1 }), schemaPrefix: () => "ppm" });

describe("DuckDB specifics", () => {
  const mapping = parseMapping(
    't:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n    - { notion_property: N, column_name: n, column_type: INT }\n',
    "t.yaml",
    {},
  );
  const database = mapping.databases[0]!;

  it("rolls the whole batch back when one of its statements fails", async () => {
    const warehouse = await createWarehouse({ kind: "duckdb", path: ":memory:", memoryLimit: "256MB", threads: 1 });
    const [bronze, silver, quarantine] = [bronzeTable(database, mapping.settings), silverTable(database, mapping.settings), quarantineTable(mapping.settings)];
    await warehouse.ensureTables([bronze, silver, quarantine]);
    const error = await warehouse
      .writeBatch({
        bronze: {
          table: bronze,
          rows: [
            {
              page_id: "p1",
              last_edited_time: "2026-01-01T00:00:00.000Z",
              page_json: "{}",
              _row_hash: "h",
              _ingested_at: "2026-01-01T00:00:00.000Z",
              _run_id: "r",
            },
          ],
        },
        silver: {
          table: silver,
          rows: [
            {
              page_id: "p1",
              n: "not a number",
              created_time: "2026-01-01T00:00:00.000Z",
              last_edited_time: "2026-01-01T00:00:00.000Z",
              url: "u",
              _is_deleted: false,
              _deleted_at: null,
              _row_hash: "h",
              _synced_at: "2026-01-01T00:00:00.000Z",
              _run_id: "r",
            },
          ],
        },
        quarantine: { table: quarantine, rows: [] },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).message).toContain("ppm_silver.t");
    expect(await warehouse.sql.query(`SELECT count(*) AS n FROM ${warehouse.sql.tableName(bronze)}`)).toEqual([{ n: 0n }]);
    await warehouse.close();
  });

  it("keeps its data in the file across close and reopen", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "nds-duck-")), "nested", "w.duckdb");
    const first = await createWarehouse({ kind: "duckdb", path, memoryLimit: "256MB", threads: 1 });
    await first.ensureTables([silverTable(database, mapping.settings)]);
    await first.close();
    const second = await createWarehouse({ kind: "duckdb", path, memoryLimit: "256MB", threads: 1 });
    expect(await second.sql.query("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = 'ppm_silver'")).toEqual([
      { table_schema: "ppm_silver", table_name: "t" },
    ]);
    await second.close();
  });
});

describe("a statement that fails inside a batch", () => {
  it("surfaces its own error, with the table, not a later one from the aborted transaction", async () => {
    const mapping = parseMapping(
      't:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n    - { notion_property: N, column_name: n, column_type: INT }\n',
      "t.yaml",
      {},
    );
    const database = mapping.databases[0]!;
    const warehouse = await createWarehouse({ kind: "duckdb", path: ":memory:", memoryLimit: "256MB", threads: 1 });
    const [bronze, silver, quarantine] = [bronzeTable(database, mapping.settings), silverTable(database, mapping.settings), quarantineTable(mapping.settings)];
    await warehouse.ensureTables([bronze, silver, quarantine]);
    // The row travels as BIGINT but the table's column is INT: the MERGE itself fails on 3,000,000,000.
    const wide = { ...silver, columns: silver.columns.map((c) => (c.name === "n" ? { ...c, type: { kind: "bigint" as const } } : c)) };
    const error = await warehouse
      .writeBatch({
        bronze: {
          table: bronze,
          rows: [
            {
              page_id: "p1",
              last_edited_time: "2026-01-01T00:00:00.000Z",
              page_json: "{}",
              _row_hash: "h",
              _ingested_at: "2026-01-01T00:00:00.000Z",
              _run_id: "r",
            },
          ],
        },
        silver: {
          table: wide,
          rows: [
            {
              page_id: "p1",
              n: 3_000_000_000,
              created_time: "2026-01-01T00:00:00.000Z",
              last_edited_time: "2026-01-01T00:00:00.000Z",
              url: "u",
              _is_deleted: false,
              _deleted_at: null,
              _row_hash: "h",
              _synced_at: "2026-01-01T00:00:00.000Z",
              _run_id: "r",
            },
          ],
        },
        quarantine: { table: quarantine, rows: [] },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).code).toBe("warehouse_terminal");
    expect((error as WarehouseError).kind).toBe("data");
    expect((error as SyncError).message).toMatch(/warehouse statement failed on ppm_silver\.t \(merge silver rows\): .*3000000000/);
    expect(await warehouse.sql.query(`SELECT count(*) AS n FROM ${warehouse.sql.tableName(bronze)}`)).toEqual([{ n: 0n }]);
    await warehouse.close();
  });
});

describe("DuckDB's errors, translated once into kinds", () => {
  it("names a missing table, a wrong statement and a refused value by kind, each terminal", async () => {
    const warehouse = await createWarehouse({ kind: "duckdb", path: ":memory:", memoryLimit: "256MB", threads: 1 });
    const kindOf = (sql: string) =>
      warehouse.sql.query(sql).then(
        () => "no error",
        (e: unknown) => (e instanceof WarehouseError ? `${e.kind}/${e.code}` : String(e)),
      );
    expect(await kindOf("SELECT * FROM ppm_silver.nope")).toBe("missing_table/warehouse_terminal");
    expect(await kindOf("SELEC 1")).toBe("syntax/warehouse_terminal");
    expect(await kindOf("SELECT nocol FROM (SELECT 1 AS a)")).toBe("syntax/warehouse_terminal");
    expect(await kindOf("SELECT CAST('x' AS INT)")).toBe("data/warehouse_terminal");
    await warehouse.close();
  });

  it("says a file another process holds is locked, transient, and what to do", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "nds-duck-lock-")), "w.duckdb");
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { DuckDBInstance } from "@duckdb/node-api"; const i = await DuckDBInstance.create(${JSON.stringify(path)}); await i.connect(); process.stdout.write("open"); setTimeout(() => {}, 60000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
      const error = await createWarehouse({ kind: "duckdb", path, memoryLimit: "256MB", threads: 1 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WarehouseError);
      expect([(error as WarehouseError).kind, (error as WarehouseError).code, (error as WarehouseError).transient]).toEqual([
        "locked",
        "warehouse_transient",
        true,
      ]);
      expect((error as Error).message).toMatch(
        new RegExp(`^cannot open the DuckDB file ${path}: .*lock.* \\(another process has it open; close it and retry\\)$`, "s"),
      );
    } finally {
      holder.kill("SIGKILL");
    }
  });
});
