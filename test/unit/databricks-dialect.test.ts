import { describe, expect, it } from "vitest";
import { parseMapping } from "../../src/config/index.js";
import { SyncError } from "../../src/errors.js";
import { controlRoomStatusTable, dqIssuesHistoryTable, dqIssuesTable } from "../../src/quality/dq-model.js";
import { databricksDialect } from "../../src/warehouse/databricks/databricks-dialect.js";
import type { StatementSession } from "../../src/warehouse/databricks/databricks-driver.js";
import { toDatabricksError } from "../../src/warehouse/databricks/databricks-errors.js";
import { isIdempotent, mayRetry } from "../../src/warehouse/warehouse-error.js";
import { rowsJson, rowsSchema, stringLiteral } from "../../src/warehouse/databricks/databricks-sql.js";
import { bronzeTable, openWarehouse, quarantineTable, seenPagesTable, silverTable, syncRunsTable, type TableSpec } from "../../src/warehouse/index.js";

/**
 * The Databricks dialect's statement text for every table kind, and how a failure is classified and
 * retried. A recording session stands in for the warehouse; the statements themselves run for real
 * on Spark + Delta in `npm run test:conformance`.
 */
const mapping = parseMapping(
  't:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n' +
    '    - { notion_property: A, column_name: amount, column_type: "DECIMAL(18,2)" }\n' +
    '    - { notion_property: T, column_name: tags, column_type: "ARRAY<STRING>" }\n' +
    "    - { notion_property: D, column_name: due, column_type: DATE }\n",
  "t.yaml",
  {},
);
const settings = mapping.settings;
const database = mapping.databases[0]!;

type Answer = Record<string, unknown>[] | Error;

function recordingSession(
  answers: (sql: string) => Answer = () => [],
): StatementSession & { calls: { sql: string; params: Readonly<Record<string, unknown>> }[] } {
  const calls: { sql: string; params: Readonly<Record<string, unknown>> }[] = [];
  return {
    calls,
    async run(sql, params) {
      calls.push({ sql, params });
      const answer = answers(sql);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async close() {},
  };
}

/** The driver's StatusError as it throws it: a plain object, not an Error, with a numeric vendor code. */
const statusError = (message: string) => ({ name: "Status Error", message, code: -1 });

const notFound = () =>
  Object.assign(new Error("[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`x`.`y` cannot be found. SQLSTATE: 42P01"), { response: { sqlState: "42P01" } });

async function warehouseOn(session: StatementSession, catalog: string | undefined) {
  return openWarehouse(databricksDialect({ catalog, maxRetries: 3, retryDelayMs: 1, openSession: async () => session }));
}

describe("Databricks DDL for every table kind", () => {
  const kinds: [string, TableSpec][] = [
    ["bronze", bronzeTable(database, settings)],
    ["silver", silverTable(database, settings)],
    ["sync_runs", syncRunsTable(settings)],
    ["quarantine", quarantineTable(settings)],
    ["seen_pages", seenPagesTable(settings)],
    ["dq_issues", dqIssuesTable(settings)],
    ["dq_issues_history", dqIssuesHistoryTable(settings)],
    ["control_room_status", controlRoomStatusTable(settings)],
  ];

  it.each(kinds)("creates %s as a Delta table with three-level names, backticks and the table properties", async (_kind, table) => {
    const session = recordingSession((sql) => (sql.startsWith("DESCRIBE") ? notFound() : []));
    const warehouse = await warehouseOn(session, "main");
    await warehouse.ensureTables([table]);
    const statements = session.calls.map((c) => c.sql);
    expect(statements).toEqual([
      `DESCRIBE TABLE \`main\`.\`${table.schema}\`.\`${table.name}\``,
      `CREATE SCHEMA IF NOT EXISTS \`main\`.\`${table.schema}\``,
      expect.stringMatching(new RegExp(`^CREATE TABLE IF NOT EXISTS \`main\`\\.\`${table.schema}\`\\.\`${table.name}\` \\(\`${table.columns[0]!.name}\` `)),
    ]);
    const create = statements[2]!;
    expect(create).toContain(" USING DELTA TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true', 'delta.enableDeletionVectors' = 'true')");
    // Optimized writes and auto compaction are always on for Unity Catalog managed tables: opt-in only.
    expect(create).not.toContain("autoOptimize");
    for (const column of table.columns) expect(create).toContain(`\`${column.name}\` `);
    expect(session.calls.every((c) => Object.keys(c.params).length === 0)).toBe(true);
  });

  it("spells every column type of the contract", async () => {
    const session = recordingSession((sql) => (sql.startsWith("DESCRIBE") ? notFound() : []));
    await (await warehouseOn(session, "main")).ensureTables([silverTable(database, settings)]);
    const create = session.calls.at(-1)!.sql;
    expect(create).toContain("`page_id` STRING, `amount` DECIMAL(18,2), `tags` ARRAY<STRING>, `due` DATE, `created_time` TIMESTAMP");
    expect(create).toContain("`_is_deleted` BOOLEAN");
  });

  it("names tables with two levels when no catalog is set (the workspace default)", async () => {
    const session = recordingSession((sql) => (sql.startsWith("DESCRIBE") ? notFound() : []));
    await (await warehouseOn(session, undefined)).ensureTables([seenPagesTable(settings)]);
    expect(session.calls.map((c) => c.sql.split(" (")[0])).toEqual([
      "DESCRIBE TABLE `ppm_meta`.`seen_pages`",
      "CREATE SCHEMA IF NOT EXISTS `ppm_meta`",
      "CREATE TABLE IF NOT EXISTS `ppm_meta`.`seen_pages`",
    ]);
  });

  it("spends one DESCRIBE per existing table and no DDL; a schema is created once for its absent tables", async () => {
    const runs = syncRunsTable(settings);
    const existing = recordingSession((sql) =>
      sql.startsWith("DESCRIBE") ? runs.columns.map((c) => ({ col_name: c.name, data_type: c.type.kind === "bigint" ? "bigint" : c.type.kind })) : [],
    );
    await (await warehouseOn(existing, "main")).ensureTables([runs]);
    expect(existing.calls.map((c) => c.sql)).toEqual(["DESCRIBE TABLE `main`.`ppm_meta`.`sync_runs`"]);
    const absent = recordingSession((sql) => (sql.startsWith("DESCRIBE") ? notFound() : []));
    await (await warehouseOn(absent, "main")).ensureTables([runs, quarantineTable(settings), seenPagesTable(settings)]);
    expect(absent.calls.filter((c) => c.sql.startsWith("CREATE SCHEMA")).map((c) => c.sql)).toEqual(["CREATE SCHEMA IF NOT EXISTS `main`.`ppm_meta`"]);
  });

  it("adds the missing columns of an existing table in ONE ALTER TABLE … ADD COLUMNS", async () => {
    const silver = silverTable(database, settings);
    const existing = silver.columns.filter((c) => c.name !== "tags" && c.name !== "due");
    const session = recordingSession((sql) =>
      sql.startsWith("DESCRIBE")
        ? [
            ...existing.map((c) => ({
              col_name: c.name,
              data_type: c.type.kind === "decimal" ? "decimal(18,2)" : c.type.kind === "int" ? "int" : c.type.kind,
            })),
            { col_name: "", data_type: "" },
            { col_name: "# Partitioning", data_type: "" },
          ]
        : [],
    );
    await (await warehouseOn(session, "main")).ensureTables([silver]);
    expect(session.calls.at(-1)!.sql).toBe("ALTER TABLE `main`.`ppm_silver`.`t` ADD COLUMNS (`tags` ARRAY<STRING>, `due` DATE)");
  });
});

describe("Databricks writes", () => {
  const silver = silverTable(database, settings);
  const bronze = bronzeTable(database, settings);
  const row = {
    page_id: "p1",
    amount: "12.30",
    tags: ["a", "it's"],
    due: "2026-01-02",
    created_time: "2026-01-01T00:00:00.000Z",
    last_edited_time: "2026-01-01T00:00:00.000+02:00",
    url: "u",
    _is_deleted: false,
    _deleted_at: null,
    _row_hash: "h",
    _synced_at: "2026-01-01T00:00:00.000Z",
    _run_id: "r",
  };

  it("MERGEs a batch into silver with ONE JSON parameter, de-duplicated by row_number, newer-or-different-hash, explicit columns", async () => {
    const session = recordingSession(() => [{ num_affected_rows: 1 }]);
    const warehouse = await warehouseOn(session, "main");
    const result = await warehouse.writeBatch({
      bronze: { table: bronze, rows: [] },
      silver: { table: silver, rows: [row] },
      quarantine: { table: quarantineTable(settings), rows: [] },
    });
    expect(result).toEqual({ bronzeInserted: 0, silverUpserted: 1 });
    expect(session.calls).toHaveLength(1);
    const { sql, params } = session.calls[0]!;
    expect(Object.keys(params)).toEqual(["nds_rows"]);
    expect(sql).toBe(
      "MERGE INTO `main`.`ppm_silver`.`t` t USING (SELECT `page_id`, `amount`, `tags`, `due`, `created_time`, `last_edited_time`, `url`, `_is_deleted`, `_deleted_at`, `_row_hash`, `_synced_at`, `_run_id` FROM " +
        "(SELECT `page_id`, `amount`, `tags`, `due`, `created_time`, `last_edited_time`, `url`, `_is_deleted`, `_deleted_at`, `_row_hash`, `_synced_at`, `_run_id`, row_number() OVER (PARTITION BY `page_id` ORDER BY `last_edited_time` DESC) AS `_rn` FROM " +
        `(SELECT inline(from_json(:nds_rows, ${stringLiteral(rowsSchema(silver))}, map('mode', 'FAILFAST', 'timestampFormat', 'yyyy-MM-dd\\'T\\'HH:mm:ss.SSSXXX'))))) d WHERE \`_rn\` = 1) s ON t.\`page_id\` = s.\`page_id\` ` +
        "WHEN MATCHED AND (s.`last_edited_time` > t.`last_edited_time` OR (s.`last_edited_time` = t.`last_edited_time` AND s.`_row_hash` <> t.`_row_hash`)) THEN UPDATE SET `amount` = s.`amount`, `tags` = s.`tags`, `due` = s.`due`, `created_time` = s.`created_time`, `last_edited_time` = s.`last_edited_time`, `url` = s.`url`, `_is_deleted` = s.`_is_deleted`, `_deleted_at` = s.`_deleted_at`, `_row_hash` = s.`_row_hash`, `_synced_at` = s.`_synced_at`, `_run_id` = s.`_run_id` " +
        "WHEN NOT MATCHED THEN INSERT (`page_id`, `amount`, `tags`, `due`, `created_time`, `last_edited_time`, `url`, `_is_deleted`, `_deleted_at`, `_row_hash`, `_synced_at`, `_run_id`) VALUES (s.`page_id`, s.`amount`, s.`tags`, s.`due`, s.`created_time`, s.`last_edited_time`, s.`url`, s.`_is_deleted`, s.`_deleted_at`, s.`_row_hash`, s.`_synced_at`, s.`_run_id`)",
    );
    // Values only in the parameter: decimal text, lists, dates, instants in UTC.
    expect(JSON.parse(String(params.nds_rows))).toEqual([{ ...row, last_edited_time: "2025-12-31T22:00:00.000Z" }]);
    expect(sql).not.toContain("12.30");
  });

  it("MERGEs bronze versions by (page_id, _row_hash): new ones inserted, one written again only restamped", async () => {
    const session = recordingSession(() => [{ num_affected_rows: 1 }]);
    await (
      await warehouseOn(session, "main")
    ).writeBatch({
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
      silver: { table: silver, rows: [] },
      quarantine: { table: quarantineTable(settings), rows: [] },
    });
    const { sql } = session.calls[0]!;
    expect(sql).toMatch(
      /^MERGE INTO `main`\.`ppm_bronze`\.`notion_t` t USING \(SELECT .* OVER \(PARTITION BY `page_id`, `_row_hash` ORDER BY `_row_hash` DESC\) AS `_rn` FROM \(SELECT inline\(from_json\(:nds_rows, /,
    );
    expect(sql).toMatch(
      / ON t\.`page_id` = s\.`page_id` AND t\.`_row_hash` = s\.`_row_hash` WHEN MATCHED AND t\.`_ingested_at` < s\.`_ingested_at` THEN UPDATE SET `_ingested_at` = s\.`_ingested_at`, `_run_id` = s\.`_run_id` WHEN NOT MATCHED THEN INSERT \(`page_id`, `last_edited_time`, `page_json`, `_row_hash`, `_ingested_at`, `_run_id`\) VALUES /,
    );
  });

  it("runs the reconcile as one MERGE … WHEN NOT MATCHED BY SOURCE, then forgets the seen ids", async () => {
    const session = recordingSession((sql) => (sql.startsWith("MERGE") ? [{ num_affected_rows: 3 }] : []));
    const marked = await (
      await warehouseOn(session, "main")
    ).markUnseen(silver, seenPagesTable(settings), { runId: "r1", databaseKey: "t", at: "2026-01-01T00:00:00.000Z" });
    expect(marked).toBe(3);
    expect(session.calls.map((c) => c.sql)).toEqual([
      "MERGE INTO `main`.`ppm_silver`.`t` t USING (SELECT `page_id` FROM `main`.`ppm_meta`.`seen_pages` WHERE `run_id` = :run AND `database_key` = :key) v ON t.`page_id` = v.`page_id` " +
        "WHEN NOT MATCHED BY SOURCE AND NOT t.`_is_deleted` THEN UPDATE SET `_is_deleted` = TRUE, `_deleted_at` = CAST(:at AS TIMESTAMP), `_synced_at` = CAST(:at AS TIMESTAMP), `_run_id` = :run, `_row_hash` = 'unseen:' || t.`_row_hash`",
      "DELETE FROM `main`.`ppm_meta`.`seen_pages` WHERE `database_key` = :key",
    ]);
    expect(session.calls[0]!.params).toEqual({ at: "2026-01-01T00:00:00.000Z", run: "r1", key: "t" });
  });

  it("replaces a table's rows with one atomic INSERT OVERWRITE (no transactions on Databricks)", async () => {
    const session = recordingSession();
    const runs = syncRunsTable(settings);
    await (
      await warehouseOn(session, "main")
    ).sql.replaceRows(runs, [
      {
        run_id: "r",
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
      },
    ]);
    expect(session.calls).toHaveLength(1);
    expect(session.calls[0]!.sql).toMatch(
      /^INSERT OVERWRITE `main`\.`ppm_meta`\.`sync_runs` \(`run_id`, .*\) SELECT `run_id`, .* FROM \(SELECT inline\(from_json\(:nds_rows, /,
    );
  });

  it("creates tables with the operator's table properties, or none", async () => {
    const created = async (tableProperties: Record<string, string>) => {
      const session = recordingSession((sql) => (sql.startsWith("DESCRIBE") ? notFound() : []));
      const warehouse = await openWarehouse(databricksDialect({ catalog: "main", tableProperties, maxRetries: 0, openSession: async () => session }));
      await warehouse.ensureTables([seenPagesTable(settings)]);
      return session.calls.at(-1)!.sql;
    };
    expect(await created({ "delta.appendOnly": "true" })).toMatch(/ USING DELTA TBLPROPERTIES \('delta\.appendOnly' = 'true'\)$/);
    expect(await created({})).toMatch(/\) USING DELTA$/);
  });

  it("splits a batch whose JSON is over what one statement may carry, by page, until each half fits", async () => {
    const session = recordingSession(() => [{ num_affected_rows: 0 }]);
    const warehouse = await warehouseOn(session, "main");
    const big = { ...row, url: "x".repeat(1024 * 1024) };
    // 16 pages of 1 MiB, page p0 twice (two versions): 17 MiB in one, 8–9 MiB in each half.
    const rows = [{ ...big, page_id: "p0" }, ...Array.from({ length: 16 }, (_, i) => ({ ...big, page_id: `p${i}` }))];
    await warehouse.writeBatch({
      bronze: { table: bronze, rows: [] },
      silver: { table: silver, rows },
      quarantine: { table: quarantineTable(settings), rows: [] },
    });
    const sent = session.calls.map((c) => (JSON.parse(String(c.params.nds_rows)) as { page_id: string }[]).map((r) => r.page_id));
    expect(sent).toEqual([
      ["p0", "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"],
      ["p8", "p9", "p10", "p11", "p12", "p13", "p14", "p15"],
    ]);
  });

  it("refuses one page whose row alone is over what a statement may carry, naming the table and the setting", async () => {
    const session = recordingSession();
    const warehouse = await warehouseOn(session, "main");
    await expect(
      warehouse.writeBatch({
        bronze: { table: bronze, rows: [] },
        silver: { table: silver, rows: [{ ...row, url: "x".repeat(16 * 1024 * 1024) }] },
        quarantine: { table: quarantineTable(settings), rows: [] },
      }),
    ).rejects.toThrow(/^the batch for ppm_silver\.t is 16\.0 MiB as JSON, over the 15 MiB one Databricks statement may carry: lower settings\.batch_max_bytes/);
    expect(session.calls).toHaveLength(0);
  });

  it("keeps the batch's JSON exact for decimals beyond a double and hostile strings", () => {
    const table: TableSpec = {
      schema: "s",
      name: "x",
      key: ["page_id"],
      columns: [
        { name: "page_id", type: { kind: "string" } },
        { name: "big", type: { kind: "decimal", precision: 38, scale: 10 } },
      ],
    };
    const hostile = `'; DROP TABLE x; -- \\ " \u0000\u202e 🚀`;
    expect(JSON.parse(rowsJson(table, [{ page_id: hostile, big: "1234567890123456789012345678.0123456789", extra: "dropped" }]))).toEqual([
      { page_id: hostile, big: "1234567890123456789012345678.0123456789" },
    ]);
    expect(rowsSchema(table)).toBe("ARRAY<STRUCT<`page_id`: STRING, `big`: DECIMAL(38,10)>>");
  });
});

describe("Databricks failures", () => {
  const conflict = Object.assign(new Error("The operation failed due to an error"), {
    response: {
      errorMessage:
        "[DELTA_CONCURRENT_APPEND] ConcurrentAppendException: Files were added to the root of the table by a concurrent update.\n\tat org.apache.spark.sql.delta...",
      sqlState: null,
    },
  });

  it.each([
    ["a Delta conflict", conflict, "conflict"],
    ["SQLSTATE 2D521", Object.assign(new Error("x"), { response: { sqlState: "2D521" } }), "conflict"],
    ["an HTTP 503 answer", Object.assign(new Error("Service Unavailable"), { statusCode: 503 }), "refused"],
    // The driver gives up only on calls it may repeat, after the statement was accepted: it may have run.
    ["the driver's own retries exhausted", new Error("Hive driver: 503 when connecting to resource. Max retry count exceeded."), "broken"],
    [
      "a statement stopped by STATEMENT_TIMEOUT",
      Object.assign(new Error("Query has been timed out due to inactivity."), {
        errorCode: "TIMEOUT",
        response: { errorMessage: "Query has been timed out due to inactivity." },
      }),
      "timeout",
    ],
    ["HTTP 429", Object.assign(new Error("Too Many Requests"), { statusCode: 429 }), "refused"],
    ["a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" }), "refused"],
    ["an unknown host", Object.assign(new Error("getaddrinfo ENOTFOUND adb-1.azuredatabricks.net"), { code: "ENOTFOUND" }), "refused"],
    ["a reset connection", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "broken"],
    ["HTTP 502", Object.assign(new Error("bad gateway"), { statusCode: 502 }), "broken"],
    ["a missing table", notFound(), "missing_table"],
    ["a missing schema", new Error("[SCHEMA_NOT_FOUND] The schema `main`.`nope` cannot be found."), "missing_table"],
    [
      "a syntax error",
      Object.assign(new Error("x"), {
        response: { displayMessage: "[PARSE_SYNTAX_ERROR] Syntax error at or near 'MERGEE'. SQLSTATE: 42601", sqlState: "42601" },
      }),
      "syntax",
    ],
    [
      "a permission error",
      Object.assign(new Error("x"), {
        response: { displayMessage: "[INSUFFICIENT_PERMISSIONS] User does not have MODIFY on Table 'main.ppm_silver.t'.", sqlState: "42501" },
      }),
      "permission",
    ],
    ["HTTP 403", Object.assign(new Error("Forbidden"), { statusCode: 403 }), "permission"],
    // Refused at submit: the driver's StatusError is no Error and keeps no sqlState, only the server's message that ends with it.
    ["a StatusError with a data SQLSTATE", statusError("[DIVIDE_BY_ZERO] Division by zero. SQLSTATE: 22012"), "data"],
    [
      "a StatusError with an analysis SQLSTATE",
      statusError("[UNRESOLVED_MAP_KEY.WITH_SUGGESTION] Cannot resolve column `k` as a map key. SQLSTATE: 42704"),
      "syntax",
    ],
    ["a StatusError for a missing table", statusError("[TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be found. SQLSTATE: 42P01"), "missing_table"],
    ["a refused OAuth secret", Object.assign(new Error("invalid_client (Client authentication failed)"), { error: "invalid_client" }), "permission"],
    ["HTTP 413", Object.assign(new Error("Received a response with a bad HTTP status code: 413"), { statusCode: 413 }), "too_large"],
    // The driver's fetch timed out (the statement may have been received): sent again only if idempotent.
    ["the driver's request timeout", new Error("Request timed out"), "broken"],
  ])("classifies %s", (_name, error, kind) => {
    expect(toDatabricksError(error).kind).toBe(kind);
  });

  it("names the purpose and the table of a failed read too", async () => {
    const denied = Object.assign(new Error("x"), {
      response: { displayMessage: "[INSUFFICIENT_PERMISSIONS] User does not have SELECT on Table 'main.ppm_silver.t'.", sqlState: "42501" },
    });
    const silver = silverTable(database, settings);
    const reads = await warehouseOn(
      recordingSession((sql) => (sql.startsWith("SELECT") ? denied : [])),
      "main",
    );
    const error = await reads.currentVersions(silver, ["p1"]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).message).toMatch(
      /^warehouse statement failed on ppm_silver\.t \(read current versions\): \[INSUFFICIENT_PERMISSIONS\] User does not have SELECT/,
    );
    expect((error as SyncError).code).toBe("warehouse_terminal");
    const describes = await warehouseOn(
      recordingSession((sql) => (sql.startsWith("DESCRIBE") ? denied : [])),
      "main",
    );
    await expect(describes.ensureTables([silver])).rejects.toThrow(
      /^warehouse statement failed on ppm_silver\.t \(describe table\): \[INSUFFICIENT_PERMISSIONS\]/,
    );
  });

  it("keeps the server's message and drops its JVM stack trace", () => {
    expect(toDatabricksError(conflict).message).toBe(
      "[DELTA_CONCURRENT_APPEND] ConcurrentAppendException: Files were added to the root of the table by a concurrent update.",
    );
  });

  it("sends a statement again only when that cannot duplicate rows", () => {
    const interrupted = toDatabricksError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    expect(mayRetry(interrupted, "MERGE INTO x USING y ON a WHEN NOT MATCHED THEN INSERT *")).toBe(true);
    expect(mayRetry(interrupted, "INSERT INTO log (a) SELECT a FROM s")).toBe(false);
    expect(mayRetry(interrupted, "INSERT OVERWRITE t (a) SELECT a FROM s")).toBe(true);
    expect(mayRetry(toDatabricksError(conflict), "INSERT INTO log (a) SELECT a FROM s")).toBe(true);
    expect(mayRetry(toDatabricksError(notFound()), "SELECT 1")).toBe(false);
    expect(["  select 1", "WITH a AS (SELECT 1) SELECT * FROM a", "DESCRIBE TABLE t"].every(isIdempotent)).toBe(true);
  });

  it("retries a conflicting MERGE with backoff, reports each retry, and succeeds", async () => {
    let failures = 2;
    const session = recordingSession(() => (failures-- > 0 ? conflict : [{ num_affected_rows: 1 }]));
    const retries: string[] = [];
    const warehouse = await openWarehouse(
      databricksDialect({
        catalog: "main",
        maxRetries: 3,
        retryDelayMs: 1,
        openSession: async () => session,
        observer: { retry: (i) => retries.push(`${i.attempt}:${i.kind}`) },
      }),
    );
    const silver = silverTable(database, settings);
    const result = await warehouse.writeBatch({
      bronze: { table: bronzeTable(database, settings), rows: [] },
      silver: {
        table: silver,
        rows: [
          {
            page_id: "p",
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
      quarantine: { table: quarantineTable(settings), rows: [] },
    });
    expect(result.silverUpserted).toBe(1);
    expect(session.calls).toHaveLength(3);
    expect(retries).toEqual(["1:conflict", "2:conflict"]);
  });

  it("waits what a refusal's Retry-After asks, in seconds, instead of the backoff; at most maxRetries such waits", async () => {
    const refused = (seconds: string) =>
      Object.assign(new Error("Received a response with a bad HTTP status code: 503"), {
        statusCode: 503,
        response: { status: 503, headers: new Headers({ "Retry-After": seconds }) },
      });
    let failures = 1;
    const session = recordingSession(() => (failures-- > 0 ? refused("1") : [{ n: 1 }]));
    const retries: string[] = [];
    // A backoff of 20 s: the retry after ~1 s is the header's doing.
    const options = { catalog: "main", maxRetries: 2, retryDelayMs: 20_000, openSession: async () => session };
    const warehouse = await openWarehouse(databricksDialect({ ...options, observer: { retry: (i) => retries.push(`${i.attempt}:${i.kind}`) } }));
    const started = performance.now();
    expect(await warehouse.sql.query("SELECT 1 AS n")).toEqual([{ n: 1 }]);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(5_000);
    expect([session.calls.length, retries]).toEqual([2, ["1:refused"]]);

    // Always refused with Retry-After: 0 s: two waits the header asked for, then the backoff's two retries (shortened here).
    const stubborn = recordingSession(() => refused("0"));
    const error = await (
      await openWarehouse(databricksDialect({ ...options, retryDelayMs: 1, openSession: async () => stubborn }))
    ).sql
      .query("SELECT 1 AS n")
      .catch((e: unknown) => e as Error);
    expect(stubborn.calls).toHaveLength(5);
    expect((error as Error).message).toContain("(after 5 attempts)");

    // An hour's Retry-After waits no longer than the backoff's longest wait (30 × 1 ms here).
    let once = 1;
    const patient = recordingSession(() => (once-- > 0 ? refused("3600") : [{ n: 1 }]));
    const from = performance.now();
    await (await openWarehouse(databricksDialect({ ...options, retryDelayMs: 1, openSession: async () => patient }))).sql.query("SELECT 1 AS n");
    expect(performance.now() - from).toBeLessThan(2_000);
  });

  it("fails a terminal error at once, naming the table and the statement's purpose; transient ones after the retries, as transient", async () => {
    const syntax = Object.assign(new Error("x"), {
      response: { displayMessage: "[INSUFFICIENT_PERMISSIONS] User does not have MODIFY on Table 'main.ppm_silver.t'.", sqlState: "42501" },
    });
    const denied = recordingSession(() => syntax);
    const rows = [
      {
        page_id: "p",
        created_time: "2026-01-01T00:00:00.000Z",
        last_edited_time: "2026-01-01T00:00:00.000Z",
        url: "u",
        _is_deleted: false,
        _deleted_at: null,
        _row_hash: "h",
        _synced_at: "2026-01-01T00:00:00.000Z",
        _run_id: "r",
      },
    ];
    const silver = silverTable(database, settings);
    const batch = {
      bronze: { table: bronzeTable(database, settings), rows: [] },
      silver: { table: silver, rows },
      quarantine: { table: quarantineTable(settings), rows: [] },
    };
    const error = await (await warehouseOn(denied, "main")).writeBatch(batch).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string; transient: boolean },
    );
    expect(denied.calls).toHaveLength(1);
    if (!error) throw new Error("the batch should have failed");
    expect(error.message).toMatch(/^warehouse statement failed on ppm_silver\.t \(merge silver rows\): \[INSUFFICIENT_PERMISSIONS\] User does not have MODIFY/);
    expect([error.code, error.transient]).toEqual(["warehouse_terminal", false]);

    const busy = recordingSession(() => Object.assign(new Error("Too Many Requests"), { statusCode: 429 }));
    const later = await (await warehouseOn(busy, "main")).writeBatch(batch).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string; transient: boolean },
    );
    if (!later) throw new Error("the batch should have failed");
    expect(busy.calls).toHaveLength(4);
    expect(later.message).toContain("Too Many Requests (after 4 attempts)");
    expect([later.code, later.transient]).toEqual(["warehouse_transient", true]);
  });
});
