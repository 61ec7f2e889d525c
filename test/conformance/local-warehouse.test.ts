import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, parseMapping, type DatabricksSettings } from "../../src/config/index.js";
import { openDatabricksSession } from "../../src/warehouse/databricks/databricks-session.js";
import type { StatementSession } from "../../src/warehouse/databricks/databricks-driver.js";
import { bronzeTable, quarantineTable, silverTable, type Row } from "../../src/warehouse/index.js";
import { runPreflight } from "../../src/pipeline/index.js";
import { syncFixture } from "../support/sync-fixture.js";
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

/** One mapped table under fresh schemas: its silver, bronze and quarantine tables. */
function oneTable() {
  const prefix = uniquePrefix();
  const mapping = parseMapping(
    `settings:\n  schemas: { bronze: ${prefix}_bronze, silver: ${prefix}_silver, meta: ${prefix}_meta, gold: ${prefix}_gold }\nt:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n    - { notion_property: A, column_name: amount, column_type: "DECIMAL(18,2)" }\n`,
    "t.yaml",
    {},
  );
  const database = mapping.databases[0]!;
  return {
    prefix,
    silver: silverTable(database, mapping.settings),
    bronze: bronzeTable(database, mapping.settings),
    quarantine: quarantineTable(mapping.settings),
  };
}

const silverRow = (pageId: string, url: string): Row => ({
  page_id: pageId,
  amount: "1.50",
  created_time: "2026-01-01T00:00:00.000Z",
  last_edited_time: "2026-01-01T00:00:00.000Z",
  url,
  _is_deleted: false,
  _deleted_at: null,
  _row_hash: "h",
  _synced_at: "2026-01-02T00:00:00.000Z",
  _run_id: "r",
});

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

  it("plays a warehouse that is starting for 20 s (503 with Retry-After: 2 on every call); the session waits it out, 2 s a wait", async () => {
    local().faults.coldStart(20_000, 2);
    const calls = local().calls.length;
    const waits: number[] = [];
    const started = Date.now();
    session = await openDatabricksSession(settings(), { waiting: (w) => waits.push(w.waitMs) });
    const tookMs = Date.now() - started;
    expect(await session.run("SELECT 1 AS one", {})).toEqual([{ one: 1 }]);
    // The driver sends OpenSession once per try and does not retry it: the session's startup budget does.
    const opens = local()
      .calls.slice(calls)
      .filter((c) => c.method === "OpenSession");
    expect(opens.at(-1)?.status).toBe(200);
    expect(opens.slice(0, -1).every((c) => c.status === 503)).toBe(true);
    expect(waits.length).toBe(opens.length - 1);
    expect(waits.every((ms) => ms === 2_000)).toBe(true);
    expect(tookMs).toBeGreaterThanOrEqual(20_000);
    expect(tookMs).toBeLessThan(26_000);
  }, 40_000);

  it("fails a warehouse that does not start within DATABRICKS_STARTUP_TIMEOUT_MS, saying how long it waited", async () => {
    local().faults.coldStart(10_000, 1);
    const error = await failure(openDatabricksSession(settings({ DATABRICKS_STARTUP_TIMEOUT_MS: "2500" })));
    expect(error.message).toMatch(
      /^cannot open a session on the Databricks SQL warehouse at .*: .*503.*\(still not ready after [34] s of DATABRICKS_STARTUP_TIMEOUT_MS\)$/s,
    );
  });

  it("waits what Retry-After says (3 s) when a statement is refused with 503, and sends it again", async () => {
    // 3 s, outside the backoff's first wait (1–2 s with jitter): only the header can make this wait.
    local().faults.http({ status: 503, methods: ["ExecuteStatement"], times: 1, retryAfterSeconds: 3, message: "TEMPORARILY_UNAVAILABLE: busy" });
    const warehouse = await openDriverWarehouse(local(), {}, {});
    try {
      const from = local().calls.length;
      expect(await warehouse.sql.query("SELECT 4 AS four")).toEqual([{ four: 4 }]);
      const executes = local()
        .calls.slice(from)
        .filter((c) => c.method === "ExecuteStatement");
      expect(executes.map((c) => c.status)).toEqual([503, 200]);
      const waitedMs = executes[1]!.at - executes[0]!.at;
      expect(waitedMs).toBeGreaterThanOrEqual(2_950);
      expect(waitedMs).toBeLessThan(4_000);
    } finally {
      await warehouse.close();
    }
  });

  it("refuses a token it does not know with 401 at once (no wait, one try), and the secret appears in no message", async () => {
    const from = local().calls.length;
    const waits: number[] = [];
    const error = await failure(openDatabricksSession(settings({ DATABRICKS_TOKEN: "dapi-not-this-one" }), { waiting: (w) => waits.push(w.waitMs) }));
    expect(
      local()
        .calls.slice(from)
        .map((c) => `${c.method} ${c.status}`),
    ).toEqual(["OpenSession 401"]);
    expect(waits).toEqual([]);
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

  it("refuses a server whose protocol is older than V8 at open (the driver would drop the parameters, and statements fail UNBOUND_SQL_PARAMETER)", async () => {
    local().faults.protocolVersion = tcli.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V7;
    const statements = local().statements.length;
    const error = await failure(openDatabricksSession(settings()));
    expect(error.message).toMatch(
      /^cannot open a session on the Databricks SQL warehouse at .*: the server speaks protocol V7 of the SQL service, which cannot bind named parameters/,
    );
    expect(local().statements).toHaveLength(statements);
  });

  it("fails a MERGE with a Delta conflict (2D521) without running it; the dialect sends it again and the rows land", async () => {
    const { silver, bronze, quarantine, prefix } = oneTable();
    const retries: string[] = [];
    const warehouse = await openDriverWarehouse(local(), {}, { retry: (r) => retries.push(r.kind) });
    try {
      await warehouse.ensureTables([bronze, silver, quarantine]);
      local().faults.statement({ match: new RegExp(`^MERGE INTO \\S*${prefix}_silver`), kind: "conflict", times: 1 });
      const row = silverRow("p1", "u");
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

  it("splits a batch the warehouse refuses as too large (413) and lands every row", async () => {
    const { silver, bronze, quarantine } = oneTable();
    const warehouse = await openDriverWarehouse(local(), {}, {});
    try {
      await warehouse.ensureTables([bronze, silver, quarantine]);
      const rows = Array.from({ length: 8 }, (_, i) => silverRow(`p${i}`, "x".repeat(400)));
      // One row's JSON is about 700 bytes: the 8 rows together are refused, two are not.
      local().faults.maxParameterBytes = 2_000;
      const from = local().calls.length;
      expect(
        await warehouse.writeBatch({ bronze: { table: bronze, rows: [] }, silver: { table: silver, rows }, quarantine: { table: quarantine, rows: [] } }),
      ).toEqual({ bronzeInserted: 0, silverUpserted: 8 });
      const merges = local()
        .calls.slice(from)
        .filter((c) => c.method === "ExecuteStatement");
      expect(merges.filter((c) => c.status === 413).length).toBeGreaterThan(0);
      const landed = await warehouse.sql.query(`SELECT page_id, url FROM ${warehouse.sql.tableName(silver)} ORDER BY page_id`);
      expect(landed).toEqual(rows.map((r) => ({ page_id: r.page_id, url: r.url })));
    } finally {
      await warehouse.close();
    }
  });

  it("creates a table in a schema that exists when the principal may not CREATE SCHEMA (least privilege); an absent schema still fails, saying so", async () => {
    const { silver, quarantine } = oneTable();
    const warehouse = await openDriverWarehouse(local(), {}, {});
    try {
      // An administrator made the silver schema; this principal has USE SCHEMA and CREATE TABLE there, nothing on the catalog.
      await warehouse.sql.execute(`CREATE SCHEMA ${warehouse.sql.quote(silver.schema)}`);
      local().faults.statement({ match: /^CREATE SCHEMA/, kind: "denied", times: 10 });
      expect(await warehouse.ensureTables([silver])).toEqual([`${silver.schema}.${silver.name}`]);
      expect(await warehouse.sql.tableExists(silver)).toBe(true);
      await expect(warehouse.ensureTables([quarantine])).rejects.toThrow(/\(create schema\): \[INSUFFICIENT_PERMISSIONS\]/);
    } finally {
      await warehouse.close();
    }
  });

  it("verify names the catalog the tables go to when DATABRICKS_CATALOG is not set, as a warning that fails nothing", async () => {
    const fixture = await syncFixture({ seed: 3 });
    try {
      const { DATABRICKS_CATALOG: chosen, ...unset } = local().env();
      const checks = await runPreflight({ ...fixture.env(), ...unset });
      expect(checks.find((c) => c.name === "warehouse")).toMatchObject({ ok: true });
      expect(checks.find((c) => c.name === "catalog")).toEqual({
        name: "catalog",
        ok: true,
        warning: true,
        detail: "DATABRICKS_CATALOG is not set: the tables go to the workspace's default catalog `spark_catalog`",
        fix: "set DATABRICKS_CATALOG to the catalog the tables belong in",
      });
      const withCatalog = await runPreflight({ ...fixture.env(), ...unset, DATABRICKS_CATALOG: chosen! });
      expect(withCatalog.find((c) => c.name === "catalog")).toBeUndefined();
    } finally {
      await fixture.close();
    }
  });

  it("verify --probe-batch-size finds the largest parameter the warehouse takes, and fails when the batches are larger, naming the setting", async () => {
    const fixture = await syncFixture({ seed: 3 });
    try {
      local().faults.maxParameterBytes = 3 * 2 ** 20;
      const checks = await runPreflight({ ...fixture.env(), ...local().env() }, { probeBatchSize: true });
      // 1 and 2 MiB taken, 4 refused; then 3 taken, 3.5 and 3.25 refused.
      expect(checks.find((c) => c.name === "batch size")).toEqual({
        name: "batch size",
        ok: false,
        detail:
          "one parameter: the warehouse took 3.00 MiB and refused 3.25 MiB as too large (6 statements); batches carry up to 4.00 MiB: a larger batch is split and sent again, a statement lost each time",
        fix: `set settings.batch_max_bytes to ${Math.floor(3 * 2 ** 20 * 0.9)} or less in the mapping`,
      });
      local().faults.maxParameterBytes = 5 * 2 ** 20;
      const roomy = await runPreflight({ ...fixture.env(), ...local().env() }, { probeBatchSize: true });
      expect(roomy.find((c) => c.name === "batch size")).toMatchObject({
        ok: true,
        detail: expect.stringMatching(/^one parameter: the warehouse took 5\.00 MiB and refused/),
      });
    } finally {
      await fixture.close();
    }
  });
});
