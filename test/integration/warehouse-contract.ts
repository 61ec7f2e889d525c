import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseMapping, type DatabaseConfig, type Settings } from "../../src/config/index.js";
import {
  bronzeTable,
  leasesTable,
  watermarksTable,
  quarantineTable,
  seenPagesTable,
  silverTable,
  syncRunsTable,
  type Row,
  type TableSpec,
  type Warehouse,
} from "../../src/warehouse/index.js";

export interface ContractTarget {
  /** A warehouse to run one test on. */
  open(): Promise<Warehouse>;
  /** The prefix of this test's schemas: engines that are slow to reset give each test its own. */
  schemaPrefix(): string;
}

/**
 * The warehouse contract, run for every dialect: DuckDB in the default suite; the Databricks dialect
 * runs the same suite on Spark + Delta (`npm run test:conformance`). Values are compared in an
 * engine-neutral form (text of decimals, dates, big integers and lists; Date for timestamps).
 */
export function warehouseContract(name: string, target: ContractTarget): void {
  let settings: Settings;
  let database: DatabaseConfig;
  let silver: TableSpec;
  let bronze: TableSpec;
  let quarantine: TableSpec;
  let warehouse: Warehouse;

  const setUpTables = () => {
    const prefix = target.schemaPrefix();
    const mapping = parseMapping(
      `settings:\n  schemas: { bronze: ${prefix}_bronze, silver: ${prefix}_silver, meta: ${prefix}_meta, gold: ${prefix}_gold }\n` +
        `t:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n` +
        `    - { notion_property: N, column_name: name, column_type: STRING }\n` +
        `    - { notion_property: A, column_name: amount, column_type: "DECIMAL(18,2)" }\n` +
        `    - { notion_property: T, column_name: tags, column_type: "ARRAY<STRING>" }\n` +
        `    - { notion_property: D, column_name: due, column_type: DATE }\n` +
        `    - { notion_property: K, column_name: kickoff, column_type: TIMESTAMP }\n` +
        `    - { notion_property: I, column_name: n, column_type: INT }\n` +
        `    - { notion_property: B, column_name: big, column_type: BIGINT }\n` +
        `    - { notion_property: F, column_name: ratio, column_type: DOUBLE }\n` +
        `    - { notion_property: C, column_name: done, column_type: BOOLEAN }\n`,
      "t.yaml",
      {},
    );
    settings = mapping.settings;
    database = mapping.databases[0]!;
    silver = silverTable(database, settings);
    bronze = bronzeTable(database, settings);
    quarantine = quarantineTable(settings);
  };

  const silverRow = (id: string, edited: string, hash: string, values: Partial<Row> = {}): Row => ({
    page_id: id,
    name: `name ${id}`,
    amount: "10.00",
    tags: ["a"],
    due: "2026-03-01",
    kickoff: "2026-03-01T09:30:00.000Z",
    n: 1,
    big: 2,
    ratio: 0.5,
    done: true,
    created_time: "2026-01-01T00:00:00.000Z",
    last_edited_time: edited,
    url: `https://notion.so/${id}`,
    _is_deleted: false,
    _deleted_at: null,
    _row_hash: hash,
    _synced_at: "2026-11-01T00:00:00.000Z",
    _run_id: "run-1",
    ...values,
  });
  const bronzeRow = (id: string, edited: string, hash: string): Row => ({
    page_id: id,
    last_edited_time: edited,
    page_json: `{"id":"${id}"}`,
    _row_hash: hash,
    _ingested_at: "2026-11-01T00:00:00.000Z",
    _run_id: "run-1",
  });
  const write = (silverRows: Row[], bronzeRows: Row[] = [], quarantineRows: Row[] = []) =>
    warehouse.writeBatch({
      bronze: { table: bronze, rows: bronzeRows },
      silver: { table: silver, rows: silverRows },
      quarantine: { table: quarantine, rows: quarantineRows },
    });
  const text = (expr: string) => warehouse.sql.functions.toText(expr);
  const silverRows = async () =>
    warehouse.sql.query(
      `SELECT page_id, name, ${text("amount")} AS amount, _row_hash, last_edited_time, _is_deleted FROM ${warehouse.sql.tableName(silver)} ORDER BY page_id`,
    );

  describe(`warehouse contract: ${name}`, () => {
    beforeEach(async () => {
      setUpTables();
      warehouse = await target.open();
      await warehouse.ensureTables([bronze, silver, quarantine, syncRunsTable(settings)]);
    });
    afterEach(async () => {
      await warehouse.close();
    });

    it("creates tables idempotently and adds the columns a table lacks", async () => {
      await warehouse.ensureTables([bronze, silver]);
      const wider: TableSpec = { ...silver, columns: [...silver.columns, { name: "added_later", type: { kind: "string" } }] };
      await warehouse.ensureTables([wider]);
      await write([silverRow("p1", "2026-01-01T00:00:00.000Z", "h1")]);
      const rows = await warehouse.sql.query(`SELECT page_id, added_later FROM ${warehouse.sql.tableName(silver)}`);
      expect(rows).toEqual([{ page_id: "p1", added_later: null }]);
    });

    it("refuses a table whose column has another type than the mapping says, naming both", async () => {
      const retyped: TableSpec = {
        ...silver,
        columns: silver.columns.map((c) => (c.name === "n" ? { ...c, type: { kind: "decimal", precision: 18, scale: 2 } as const } : c)),
      };
      await expect(warehouse.ensureTables([retyped])).rejects.toThrow(
        new RegExp(`table ${settings.schemas.silver}\\.t: n is \\S+ in the warehouse but \\S+ in the mapping`),
      );
    });

    it("inserts a bronze version only once per (page_id, _row_hash)", async () => {
      const first = await write(
        [],
        [
          bronzeRow("p1", "2026-01-01T00:00:00.000Z", "h1"),
          bronzeRow("p1", "2026-01-01T00:00:00.000Z", "h1"),
          bronzeRow("p2", "2026-01-01T00:00:00.000Z", "h2"),
        ],
      );
      expect(first.bronzeInserted).toBe(2);
      const again = await write([], [bronzeRow("p1", "2026-01-01T00:00:00.000Z", "h1"), bronzeRow("p1", "2026-01-01T00:01:00.000Z", "h1b")]);
      expect(again.bronzeInserted).toBe(1);
      const rows = await warehouse.sql.query(`SELECT page_id, _row_hash FROM ${warehouse.sql.tableName(bronze)} ORDER BY page_id, _row_hash`);
      expect(rows).toEqual([
        { page_id: "p1", _row_hash: "h1" },
        { page_id: "p1", _row_hash: "h1b" },
        { page_id: "p2", _row_hash: "h2" },
      ]);
    });

    it("updates silver only from a newer row, or an equally new row with another hash", async () => {
      await write([silverRow("p1", "2026-01-01T00:05:00.000Z", "h1"), silverRow("p2", "2026-01-01T00:05:00.000Z", "h2")]);
      const result = await write([
        silverRow("p1", "2026-01-01T00:04:00.000Z", "older", { name: "older" }),
        silverRow("p2", "2026-01-01T00:05:00.000Z", "h2", { name: "same hash" }),
      ]);
      expect(result.silverUpserted).toBe(0);
      await write([
        silverRow("p1", "2026-01-01T00:05:00.000Z", "h1-changed", { name: "same minute" }),
        silverRow("p2", "2026-01-01T00:06:00.000Z", "h2b", { name: "newer" }),
      ]);
      expect((await silverRows()).map((r) => [r.page_id, r.name, r._row_hash])).toEqual([
        ["p1", "same minute", "h1-changed"],
        ["p2", "newer", "h2b"],
      ]);
    });

    it("keeps one row per page when a batch holds several versions: the newest", async () => {
      await write([
        silverRow("p1", "2026-01-01T00:01:00.000Z", "a", { name: "old" }),
        silverRow("p1", "2026-01-01T00:03:00.000Z", "c", { name: "newest" }),
        silverRow("p1", "2026-01-01T00:02:00.000Z", "b", { name: "middle" }),
      ]);
      expect((await silverRows()).map((r) => [r.page_id, r.name])).toEqual([["p1", "newest"]]);
    });

    it("stores every value exactly: hostile text, decimals, lists, dates, timestamps, nulls", async () => {
      const hostile = `O'Brien "q" \\ back\\slash\nnew\tline 🚀 שלום '; DROP TABLE x; -- ${"z".repeat(2000)}`;
      await write([
        silverRow("p1", "2026-01-01T00:00:00.000Z", "h", {
          name: hostile,
          amount: "1234567890123456.78",
          tags: ["x", "", "it's"],
          due: "1999-12-31",
          kickoff: "2026-03-01T23:59:59.123Z",
          n: -2147483648,
          big: 9007199254740991,
          ratio: -0.000123,
          done: false,
        }),
        silverRow("p2", "2026-01-01T00:00:00.000Z", "h", {
          name: null,
          amount: null,
          tags: [],
          due: null,
          kickoff: null,
          n: null,
          big: null,
          ratio: null,
          done: null,
        }),
      ]);
      const rows = await warehouse.sql.query(
        `SELECT page_id, name, ${text("amount")} AS amount, ${text("to_json(tags)")} AS tags, ${text("due")} AS due, kickoff, n, ${text("big")} AS big, ratio, done FROM ${warehouse.sql.tableName(silver)} ORDER BY page_id`,
      );
      expect(rows.map((r) => ({ ...r, tags: JSON.parse(String(r.tags)) as unknown }))).toEqual([
        {
          page_id: "p1",
          name: hostile,
          amount: "1234567890123456.78",
          tags: ["x", "", "it's"],
          due: "1999-12-31",
          kickoff: new Date("2026-03-01T23:59:59.123Z"),
          n: -2147483648,
          big: "9007199254740991",
          ratio: -0.000123,
          done: false,
        },
        { page_id: "p2", name: null, amount: null, tags: [], due: null, kickoff: null, n: null, big: null, ratio: null, done: null },
      ]);
    });

    it("marks the live rows a full pass did not see as deleted, once, and forgets the seen ids", async () => {
      const seen = seenPagesTable(settings);
      await warehouse.ensureTables([seen]);
      await write([
        silverRow("p1", "2026-01-01T00:00:00.000Z", "h1"),
        silverRow("p2", "2026-01-01T00:00:00.000Z", "h2"),
        silverRow("p3", "2026-01-01T00:00:00.000Z", "h3"),
      ]);
      await warehouse.insertRows(seen, [
        { run_id: "r2", database_key: "t", page_id: "p1" },
        { run_id: "r2", database_key: "t", page_id: "p3" },
        { run_id: "other", database_key: "t", page_id: "p2" },
      ]);
      const scope = { runId: "r2", databaseKey: "t", at: "2026-02-01T00:00:00.000Z" };
      expect(await warehouse.markUnseen(silver, seen, scope)).toBe(1);
      expect((await silverRows()).map((r) => [r.page_id, r._is_deleted, r._row_hash])).toEqual([
        ["p1", false, "h1"],
        ["p2", true, "unseen:h2"],
        ["p3", false, "h3"],
      ]);
      expect(await warehouse.sql.query(`SELECT page_id FROM ${warehouse.sql.tableName(seen)}`)).toEqual([]);
      // A second reconcile with nothing seen marks the other two, never p2 again.
      expect(await warehouse.markUnseen(silver, seen, { ...scope, runId: "r3" })).toBe(2);
      // The page comes back: its new version is written over the marked row.
      await write([silverRow("p2", "2026-01-01T00:00:00.000Z", "h2")]);
      expect((await silverRows()).map((r) => [r.page_id, r._is_deleted])).toEqual([
        ["p1", true],
        ["p2", false],
        ["p3", true],
      ]);
    });

    it("replaces all rows of a table, and empties it", async () => {
      const runs = syncRunsTable(settings);
      const record = (id: string): Row => ({
        run_id: id,
        database_key: "t",
        mode: "full",
        status: "success",
        started_at: "2026-01-01T00:00:00.000Z",
        finished_at: null,
        pages_read: 1,
        rows_upserted: 1,
        bronze_versions: 1,
        rows_quarantined: 0,
        notion_requests: 1,
        watermark: null,
        error_code: null,
        error: null,
      });
      await warehouse.insertRows(runs, [record("a"), record("b")]);
      await warehouse.sql.replaceRows(runs, [record("c")]);
      expect(await warehouse.sql.query(`SELECT run_id FROM ${warehouse.sql.tableName(runs)}`)).toEqual([{ run_id: "c" }]);
      await warehouse.sql.replaceRows(runs, []);
      expect(await warehouse.sql.query(`SELECT run_id FROM ${warehouse.sql.tableName(runs)}`)).toEqual([]);
    });

    it("tells the current version of the pages asked for", async () => {
      await write([silverRow("p1", "2026-01-01T00:05:00.000Z", "h1")]);
      const versions = await warehouse.currentVersions(silver, ["p1", "missing"]);
      expect([...versions.entries()]).toEqual([["p1", { rowHash: "h1", lastEditedTime: "2026-01-01T00:05:00.000Z" }]]);
      expect((await warehouse.currentVersions(silver, [])).size).toBe(0);
    });

    it("appends run records and quarantine rows", async () => {
      await warehouse.insertRows(syncRunsTable(settings), [
        {
          run_id: "r",
          database_key: "t",
          mode: "full",
          status: "success",
          started_at: "2026-01-01T00:00:00.000Z",
          finished_at: "2026-01-01T00:00:01.000Z",
          pages_read: 1,
          rows_upserted: 1,
          bronze_versions: 1,
          rows_quarantined: 0,
          notion_requests: 3,
          watermark: null,
          error_code: null,
          error: null,
        },
      ]);
      await write(
        [],
        [],
        [
          {
            detected_at: "2026-01-01T00:00:00.000Z",
            run_id: "r",
            database_key: "t",
            page_id: "p1",
            last_edited_time: "2026-01-01T00:00:00.000Z",
            column_name: "amount",
            rule: "min",
            value: "-1.00",
            message: "must be ≥ 0",
            action: "nulled",
          },
        ],
      );
      expect(
        await warehouse.sql.query(
          `SELECT run_id, status, ${text("pages_read")} AS pages_read FROM ${warehouse.sql.tableName({ schema: settings.schemas.meta, name: "sync_runs" })}`,
        ),
      ).toEqual([{ run_id: "r", status: "success", pages_read: "1" }]);
      expect(await warehouse.sql.query(`SELECT column_name, rule, value FROM ${warehouse.sql.tableName(quarantine)}`)).toEqual([
        { column_name: "amount", rule: "min", value: "-1.00" },
      ]);
    });

    it("holds a database's lease for one owner at a time, renews it, and hands it over once it expired", async () => {
      const leases = leasesTable(settings);
      await warehouse.ensureTables([leases]);
      const claim = (owner: string, keys: string[], ttlSeconds: number) => ({ owner, runId: `run-${owner}`, host: `host-${owner}`, keys, ttlSeconds });
      const holders = async (owner: string, keys: string[]) =>
        Object.fromEntries((await warehouse.takeLeases(leases, claim(owner, keys, 600))).map((h) => [h.databaseKey, `${h.owner} ${h.host} ${h.runId}`]));

      expect(await holders("a", ["p", "q"])).toEqual({ p: "a host-a run-a", q: "a host-a run-a" });
      // Live and another's: refused, the holder and its run named; a free key is still taken.
      expect(await holders("b", ["p", "r"])).toEqual({ p: "a host-a run-a", r: "b host-b run-b" });
      const [held] = await warehouse.takeLeases(leases, claim("a", ["p"], 600));
      expect(held!.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/);
      expect(await warehouse.renewLeases(leases, { owner: "a", keys: ["p", "q"], ttlSeconds: 600 })).toBe(2);
      expect(await warehouse.renewLeases(leases, { owner: "b", keys: ["p"], ttlSeconds: 600 })).toBe(0);
      // a stalls: its leases end (a renewal of 0 s stands for the time passing, by the warehouse's clock);
      // b takes p over, and a's renewal finds it gone.
      await warehouse.renewLeases(leases, { owner: "a", keys: ["p", "q"], ttlSeconds: 0 });
      expect(await holders("b", ["p"])).toEqual({ p: "b host-b run-b" });
      expect(await warehouse.renewLeases(leases, { owner: "a", keys: ["p", "q"], ttlSeconds: 600 })).toBe(1);
      await warehouse.releaseLeases(leases, "b");
      expect(await holders("c", ["p", "r"])).toEqual({ p: "c host-c run-c", r: "c host-c run-c" });
    });

    it("upserts, reads and deletes state rows by key (the watermarks)", async () => {
      const table = watermarksTable(settings);
      await warehouse.ensureTables([table]);
      const row = (key: string, time: string) => ({
        database_key: key,
        last_edited_time: time,
        run_id: "r",
        data_source_id: "ds",
        mapping_hash: "h",
        watermark_json: JSON.stringify({ key, time }),
        updated_at: time,
      });
      await warehouse.upsertRows(table, [row("a", "2026-01-01T00:00:00.000Z"), row("b", "2026-01-02T00:00:00.000Z")]);
      await warehouse.upsertRows(table, [row("a", "2026-01-03T00:00:00.000Z")]);
      const read = async () => (await warehouse.readRows(table)).map((r) => [r.database_key, JSON.parse(String(r.watermark_json)).time]).sort();
      expect(await read()).toEqual([
        ["a", "2026-01-03T00:00:00.000Z"],
        ["b", "2026-01-02T00:00:00.000Z"],
      ]);
      expect(await warehouse.deleteRows(table, "database_key", ["b"])).toBe(1);
      expect(await read()).toEqual([["a", "2026-01-03T00:00:00.000Z"]]);
    });
  });
}
