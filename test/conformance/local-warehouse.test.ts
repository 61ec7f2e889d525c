import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, parseMapping, type DatabricksSettings } from "../../src/config/index.js";
import { openDatabricksSession } from "../../src/warehouse/databricks/databricks-session.js";
import type { StatementSession } from "../../src/warehouse/databricks/databricks-driver.js";
import { bronzeTable, quarantineTable, silverTable, type Row } from "../../src/warehouse/index.js";
import { tcli } from "./local-warehouse/tcli.js";
import { openDriverWarehouse, useLocalWarehouse } from "./driver-target.js";
import { uniquePrefix } from "./spark-target.js";

/**
 * The local warehouse as `@databricks/sql` and the production session see it: bound parameters,
 * Arrow values, warehouse-shaped errors, and the failure knobs that later tests build on.
 */
const local = useLocalWarehouse();
const settings = (env: Record<string, string> = {}) =>
  loadConfig({ env: { ...local().env(), ...env }, requireToken: false, databaseIdsOptional: true }).warehouse as DatabricksSettings;
const failure = async (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected a failure"),
    (error: unknown) => error as Error & { cause?: { statusCode?: number; response?: { sqlState?: string; displayMessage?: string } } },
  );
let session: StatementSession | undefined;

afterEach(async () => {
  await session?.close();
  session = undefined;
  local().faults.clear();
});

describe("the local warehouse through @databricks/sql", () => {
  it("binds each parameter type server-side and answers Arrow values as a warehouse does", async () => {
    session = await openDatabricksSession(settings());
    const hostile = 'it\'s a "quote", a \\ backslash, :marker -- and ✓\n';
    const [row] = await session.run(
      "SELECT :text AS text, :int AS int, :big AS big, :ratio AS ratio, :yes AS yes, :nothing AS nothing, CAST('12.50' AS DECIMAL(18,2)) AS amount, TIMESTAMP'2026-03-01 09:30:00.123' AS at, DATE'2026-03-01' AS day, array('a', 'b') AS tags, map('k', 'v') AS props",
      { text: hostile, int: 7, big: 2 ** 40, ratio: 0.25, yes: true, nothing: null },
    );
    expect(row).toEqual({
      text: hostile,
      int: 7,
      big: 2 ** 40,
      ratio: 0.25,
      yes: true,
      nothing: null,
      amount: 12.5,
      at: new Date("2026-03-01T09:30:00.123Z"),
      day: new Date("2026-03-01T00:00:00.000Z"),
      tags: ["a", "b"],
      props: { k: "v" },
    });
    // The values travelled as parameters, not in the text.
    expect(local().statements.at(-1)).toMatchObject({ parameters: 6, sql: expect.stringContaining(":text AS text") });
  });

  it("answers a quick statement with direct results, as a warehouse does: one request per statement", async () => {
    session = await openDatabricksSession(settings());
    const from = local().calls.length;
    expect(await session.run("SELECT id FROM range(3) ORDER BY id", {})).toEqual([{ id: 0 }, { id: 1 }, { id: 2 }]);
    expect(await session.run("SELECT * FROM no_such_table", {}).catch((e: Error) => e.constructor.name)).toBe("OperationStateError");
    // The failed one is closed by the driver, the finished one was closed in its answer.
    expect(
      local()
        .calls.slice(from)
        .map((c) => c.method),
    ).toEqual(["ExecuteStatement", "ExecuteStatement", "CloseOperation"]);
  });

  it("answers a failed statement with its SQLSTATE and the error class at the head of the message", async () => {
    session = await openDatabricksSession(settings());
    const error = await failure(session.run("SELECT * FROM no_such_table", {}));
    expect(error.constructor.name).toBe("OperationStateError");
    expect((error as unknown as { response: { sqlState: string } }).response.sqlState).toBe("42P01");
    expect(error.message).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\] The table or view `no_such_table` cannot be found\..*SQLSTATE: 42P01/s);
    expect(error.message).not.toMatch(/\n\tat |HiveSQLException/);
  });

  it("plays a warehouse that is starting: 503 with Retry-After on every call, then serves", async () => {
    local().faults.coldStart(2_000, 2);
    const calls = local().calls.length;
    const error = await failure(openDatabricksSession(settings()));
    // The driver sends OpenSession once and does not retry it.
    expect(error.cause?.statusCode).toBe(503);
    expect(
      local()
        .calls.slice(calls)
        .map((c) => `${c.method} ${c.status}`),
    ).toEqual(["OpenSession 503"]);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    session = await openDatabricksSession(settings());
    expect(await session.run("SELECT 1 AS one", {})).toEqual([{ one: 1 }]);
  });

  it("refuses a token it does not know with 401, and the secret appears in no message", async () => {
    const error = await failure(openDatabricksSession(settings({ DATABRICKS_TOKEN: "dapi-not-this-one" })));
    expect(error.cause?.statusCode).toBe(401);
    expect(error.message).toContain("check DATABRICKS_TOKEN");
    expect(`${error.message} ${String(error.stack)}`).not.toContain("dapi-not-this-one");
  });

  it("answers a 503 while polling, which the driver retries after 2 s whatever Retry-After says (it reads seconds as milliseconds)", async () => {
    session = await openDatabricksSession(settings());
    // Slow enough to be polled (a quick one is answered with direct results, no poll).
    local().faults.statement({ match: /^SELECT 2 AS two/, kind: "slow", delayMs: 300 });
    local().faults.http({ status: 503, methods: ["GetOperationStatus"], times: 1, retryAfterSeconds: 5, message: "TEMPORARILY_UNAVAILABLE: busy" });
    const from = local().calls.length;
    expect(await session.run("SELECT 2 AS two", {})).toEqual([{ two: 2 }]);
    const polls = local()
      .calls.slice(from)
      .filter((c) => c.method === "GetOperationStatus");
    expect(polls.map((c) => c.status).slice(0, 2)).toEqual([503, 200]);
    const waitedMs = polls[1]!.at - polls[0]!.at;
    expect(waitedMs).toBeGreaterThanOrEqual(1_900);
    expect(waitedMs).toBeLessThan(4_500);
  });

  it("refuses a statement whose parameters exceed its limit with an HTTP error, before running it", async () => {
    session = await openDatabricksSession(settings());
    local().faults.maxParameterBytes = 1_000;
    const statements = local().statements.length;
    const error = await failure(session.run("SELECT length(:p) AS n", { p: "x".repeat(1_001) }));
    expect(error.constructor.name).toBe("THTTPException");
    expect((error as unknown as { statusCode: number }).statusCode).toBe(413);
    expect(local().statements).toHaveLength(statements);
    expect(await session.run("SELECT length(:p) AS n", { p: "x".repeat(1_000) })).toEqual([{ n: 1_000 }]);
  });

  it("keeps a slow statement RUNNING while the driver polls, then answers it", async () => {
    session = await openDatabricksSession(settings());
    local().faults.statement({ match: /^SELECT 3 AS three/, kind: "slow", delayMs: 1_500 });
    const from = local().calls.length;
    const started = Date.now();
    expect(await session.run("SELECT 3 AS three", {})).toEqual([{ three: 3 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(
      local()
        .calls.slice(from)
        .filter((c) => c.method === "GetOperationStatus").length,
    ).toBeGreaterThan(3);
  });

  it("with a protocol older than V8, the driver drops the parameters and the statement fails UNBOUND_SQL_PARAMETER", async () => {
    local().faults.protocolVersion = tcli.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V7;
    session = await openDatabricksSession(settings());
    const error = await failure(session.run("SELECT :x AS x", { x: "value" }));
    expect((error as unknown as { response: { sqlState: string } }).response.sqlState).toBe("42P02");
    expect(error.message).toMatch(/^\[UNBOUND_SQL_PARAMETER\]/);
    expect(local().statements.at(-1)).toMatchObject({ sql: "SELECT :x AS x", parameters: 0 });
  });

  it("fails a MERGE with a Delta conflict (2D521) without running it; the dialect sends it again and the rows land", async () => {
    const prefix = uniquePrefix();
    const mapping = parseMapping(
      `settings:\n  schemas: { bronze: ${prefix}_bronze, silver: ${prefix}_silver, meta: ${prefix}_meta, gold: ${prefix}_gold }\nt:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n    - { notion_property: A, column_name: amount, column_type: "DECIMAL(18,2)" }\n`,
      "t.yaml",
      {},
    );
    const [silver, bronze, quarantine] = [
      silverTable(mapping.databases[0]!, mapping.settings),
      bronzeTable(mapping.databases[0]!, mapping.settings),
      quarantineTable(mapping.settings),
    ];
    const retries: string[] = [];
    const warehouse = await openDriverWarehouse(local(), {}, { retry: (r) => retries.push(r.kind) });
    try {
      await warehouse.ensureTables([bronze, silver, quarantine]);
      local().faults.statement({ match: new RegExp(`^MERGE INTO \\S*${prefix}_silver`), kind: "conflict", times: 1 });
      const row: Row = {
        page_id: "p1",
        amount: "1.50",
        created_time: "2026-01-01T00:00:00.000Z",
        last_edited_time: "2026-01-01T00:00:00.000Z",
        url: "u",
        _is_deleted: false,
        _deleted_at: null,
        _row_hash: "h",
        _synced_at: "2026-01-02T00:00:00.000Z",
        _run_id: "r",
      };
      const version: Row = {
        page_id: "p1",
        last_edited_time: "2026-01-01T00:00:00.000Z",
        page_json: "{}",
        _row_hash: "h",
        _ingested_at: "2026-01-02T00:00:00.000Z",
        _run_id: "r",
      };
      expect(
        await warehouse.writeBatch({
          bronze: { table: bronze, rows: [version] },
          silver: { table: silver, rows: [row] },
          quarantine: { table: quarantine, rows: [] },
        }),
      ).toEqual({ bronzeInserted: 1, silverUpserted: 1 });
      expect(retries).toEqual(["conflict"]);
      expect(await warehouse.sql.query(`SELECT page_id FROM ${warehouse.sql.tableName(silver)}`)).toEqual([{ page_id: "p1" }]);
    } finally {
      await warehouse.close();
    }
  });
});
