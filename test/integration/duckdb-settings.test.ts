import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseMapping } from "../../src/config/index.js";
import { bronzeTable, createWarehouse, quarantineTable, silverTable, type Row } from "../../src/warehouse/index.js";

const mapping = parseMapping(
  't:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n    - { notion_property: T, column_name: tags, column_type: "ARRAY<STRING>" }\n',
  "t.yaml",
  {},
);
const database = mapping.databases[0]!;
const tables = {
  bronze: bronzeTable(database, mapping.settings),
  silver: silverTable(database, mapping.settings),
  quarantine: quarantineTable(mapping.settings),
};
const at = "2026-01-01T00:00:00.000Z";

function rows(ids: readonly string[], tags: (id: string) => string[] | null) {
  return {
    bronze: {
      table: tables.bronze,
      rows: ids.map((id): Row => ({ page_id: id, last_edited_time: at, page_json: "{}", _row_hash: "h", _ingested_at: at, _run_id: "r" })),
    },
    silver: {
      table: tables.silver,
      rows: ids.map((id): Row => ({
        page_id: id,
        tags: tags(id),
        created_time: at,
        last_edited_time: at,
        url: "u",
        _is_deleted: false,
        _deleted_at: null,
        _row_hash: "h",
        _synced_at: at,
        _run_id: "r",
      })),
    },
    quarantine: { table: tables.quarantine, rows: [] },
  };
}

describe("the embedded warehouse's memory settings", () => {
  it("reach DuckDB: buffer pool, threads, allocator flush, spill directory, and the row-group size of the ATTACHed file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "nds-duck-settings-")), "it's here", "w.duckdb");
    const warehouse = await createWarehouse({ kind: "duckdb", path, memoryLimit: "48MB", threads: 1, rowGroupSize: 2048 });
    const [settings] = await warehouse.sql.query(
      "SELECT current_setting('memory_limit') AS memory, current_setting('threads') AS threads, current_setting('allocator_bulk_deallocation_flush_threshold') AS flush, current_setting('temp_directory') AS temp, current_database() AS db",
    );
    expect(settings).toEqual({ memory: "45.7 MiB", threads: 1n, flush: "1.0 MiB", temp: `${path}.tmp`, db: "w" });
    await warehouse.ensureTables([tables.bronze, tables.silver, tables.quarantine]);
    const ids = Array.from({ length: 5000 }, (_v, i) => `p${i}`);
    await warehouse.writeBatch(rows(ids, () => ["a"]));
    await warehouse.sql.execute("CHECKPOINT");
    const groups = await warehouse.sql.query(
      "SELECT count(DISTINCT row_group_id) AS groups, max(count) AS largest FROM pragma_storage_info('ppm_silver.t') WHERE column_name = 'page_id'",
    );
    expect(groups).toEqual([{ groups: 3n, largest: 2048n }]);
    await warehouse.close();
    expect(existsSync(path)).toBe(true);
  });

  it("default to a 64 MB buffer pool and 4,096-row row groups, and name DUCKDB_ROW_GROUP_SIZE when it is not a multiple of 2048", () => {
    const config = loadConfig({ env: { NOTION_PROGRAMS_DB: "842a0286cef046a8abbaeac4c8ca644e" }, requireToken: false, databaseIdsOptional: true });
    expect(config.warehouse).toMatchObject({ kind: "duckdb", memoryLimit: "64MB", rowGroupSize: 4096 });
    for (const bad of ["5000", "big", "1024"]) {
      expect(() => loadConfig({ env: { DUCKDB_ROW_GROUP_SIZE: bad }, requireToken: false, databaseIdsOptional: true })).toThrow(
        /environment: DUCKDB_ROW_GROUP_SIZE/,
      );
    }
  });

  it("stages lists as JSON text and stores them as lists, every string as a directly appended one would be", async () => {
    const warehouse = await createWarehouse({ kind: "duckdb", path: ":memory:", memoryLimit: "64MB", threads: 1 });
    await warehouse.ensureTables([tables.bronze, tables.silver, tables.quarantine]);
    const hostile = ['a"b', "back\\slash", "new\nline", "emoji 😀", "nul\u0000x", "lone \udc00 s", "[1, 2]", "'q'", "", "é"];
    await warehouse.writeBatch(rows(["p1", "p2", "p3"], (id) => (id === "p1" ? hostile : id === "p2" ? [] : null)));
    const stored = await warehouse.sql.query("SELECT page_id, tags FROM ppm_silver.t ORDER BY page_id");
    expect(stored).toEqual([
      { page_id: "p1", tags: hostile.map((s) => s.replace("\udc00", "\ufffd")) },
      { page_id: "p2", tags: [] },
      { page_id: "p3", tags: null },
    ]);
    await warehouse.close();
  });

  it("reads the newest bronze versions for a rebuild within a small buffer pool: the window covers one batch's pages, not the table", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "nds-duck-rebuild-")), "w.duckdb");
    const warehouse = await createWarehouse({ kind: "duckdb", path, memoryLimit: "48MB", threads: 1, rowGroupSize: 2048 });
    try {
      await warehouse.ensureTables([tables.bronze]);
      // 10,000 pages of two versions each, 4 KiB of page JSON a version: 80 MiB of bronze, about twice the pool.
      const body = "x".repeat(4 * 1024);
      const ids = Array.from({ length: 10_000 }, (_v, i) => `p${String(i).padStart(5, "0")}`);
      for (let from = 0; from < ids.length; from += 500) {
        const versions = ids.slice(from, from + 500).flatMap((id) =>
          [1, 2].map((v): Row => ({
            page_id: id,
            last_edited_time: `2026-01-0${v}T00:00:00.000Z`,
            page_json: JSON.stringify({ id, v, body }),
            _row_hash: `h${v}`,
            _ingested_at: at,
            _run_id: "r",
          })),
        );
        await warehouse.insertRows(tables.bronze, versions);
      }
      // As a sync leaves it: written to the file (DuckDB checkpoints as its log grows).
      await warehouse.sql.execute("CHECKPOINT");
      const read: { pageId: string; version: number }[] = [];
      for (let after = ""; ;) {
        const batch = await warehouse.newestBronze(tables.bronze, { after, notAfter: "2026-02-01T00:00:00.000Z", limit: 1_000 });
        if (batch.length === 0) break;
        read.push(...batch.map((b) => ({ pageId: b.pageId, version: (JSON.parse(b.pageJson) as { v: number }).v })));
        after = batch.at(-1)!.pageId;
      }
      expect(read).toEqual(ids.map((pageId) => ({ pageId, version: 2 })));
    } finally {
      await warehouse.close();
    }
  }, 60_000);
});
