import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { TOKEN_FILE } from "../../src/webhooks/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { startWorkerProcess, until, type WorkerProcess } from "../support/worker-process.js";
import { runCommand } from "./support/cli-process.js";
import { OUTPUTS, SECRETS, SECRET_ENV, capture, scanForSecrets, secretsIn } from "./support/suite.js";

/**
 * Neither NOTION_TOKEN, a Databricks secret nor the webhook verification token may appear anywhere the suite can look: the output of
 * every command at trace level (JSON and pretty logs, a refused token, malformed answers), the worker's
 * endpoints while it syncs and fails, the run records and every table, the DuckDB file itself, the
 * watermark directory, and (at the end) every output captured by every test file of the suite.
 */
let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
let worker: WorkerProcess | undefined;
const db = () => join(dir, "warehouse.duckdb");
const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 61, scale: 200, faultRate: 0.1, token: SECRETS.NOTION_TOKEN });
  dir = mkdtempSync(join(tmpdir(), "nds-secrets-"));
  env = { ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: join(dir, "watermarks"), NOTION_RPS: "500", NOTION_BURST: "100", LOG_LEVEL: "trace" };
});

afterAll(async () => {
  if (worker && worker.child.exitCode === null) {
    worker.child.kill("SIGKILL");
    await worker.exited;
  }
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("secrets never leave the process", () => {
  it("are found by the scan when they are there (the scan itself can fail)", () => {
    expect(secretsIn(`a ${SECRETS.NOTION_TOKEN} b ${SECRETS.DATABRICKS_CLIENT_SECRET}`)).toEqual(["NOTION_TOKEN", "DATABRICKS_CLIENT_SECRET"]);
    expect(secretsIn(Buffer.from(`\u0000${SECRETS.DATABRICKS_TOKEN}\u0000`))).toEqual(["DATABRICKS_TOKEN"]);
    expect(secretsIn("secret_RELIABILITY_ dapiRELIABILITY")).toEqual([]);
  });

  it("not in any command's output at trace level, with a refused token, or in pretty logs", async () => {
    const runs = [
      await runCommand("secrets-sync-trace", ["sync", "--json"], { ...env, NOTION_WEBHOOK_VERIFICATION_TOKEN: SECRETS.NOTION_WEBHOOK_VERIFICATION_TOKEN }),
      await runCommand("secrets-sync-pretty", ["sync", "--full"], { ...env, LOG_FORMAT: "pretty" }),
      // A wrong token that contains the real one: echoing it would show the real one too.
      await runCommand("secrets-refused", ["sync", "--database", "programs", "--json"], { ...env, NOTION_TOKEN: `${SECRETS.NOTION_TOKEN}x` }),
      await runCommand("secrets-verify", ["verify", "--json"], env),
      await runCommand("secrets-verify-refused", ["verify"], { ...env, NOTION_TOKEN: `${SECRETS.NOTION_TOKEN}x` }),
      await runCommand("secrets-dq", ["dq", "--json"], env),
      await runCommand("secrets-watermarks", ["watermarks", "show", "--json"], env),
      await runCommand("secrets-bad-env", ["sync"], {
        ...env,
        NOTION_RPS: "fast",
        DUCKDB_THREADS: "-1",
        NOTION_WEBHOOK_DEBOUNCE: "soon",
        NOTION_WEBHOOK_VERIFICATION_TOKEN: SECRETS.NOTION_WEBHOOK_VERIFICATION_TOKEN,
      }),
    ];
    expect(runs[0]!.code, runs[0]!.stderr).toBe(0);
    expect(runs[2]!.stderr).toContain("NOTION_TOKEN is invalid or revoked");
    expect(runs[7]!.code).toBe(2);
    // The trace run did log: the scan below looks at real log lines, not at silence.
    expect(runs[0]!.stderr.split("\n").filter((l) => l.startsWith("{")).length).toBeGreaterThan(20);
    expect(scanForSecrets(runs.map((r, i) => ({ where: `command ${i}`, text: r.stdout + r.stderr, captured: true })))).toEqual([]);
  });

  it("not in the worker's endpoints while it syncs, meets malformed answers and fails a database, and the worker survives", async () => {
    const risks = sandbox.databases.risks!.dataSourceId;
    sandbox.faults.inject({ path: `/v1/data_sources/${risks}/query`, kind: "body", body: '{"object":"list"}', times: 10_000 });
    sandbox.faults.inject({ path: `/v1/data_sources/${sandbox.databases.milestones!.dataSourceId}/query`, kind: "html", status: 200, times: 10_000 });
    worker = await startWorkerProcess({
      ...SECRET_ENV,
      ...env,
      SYNC_SCHEDULE: "*/2 * * * * *",
      NOTION_MAX_RETRIES: "1",
      NOTION_WEBHOOKS: "on",
      NOTION_WEBHOOK_DEBOUNCE: "200ms",
    });
    // Webhooks: the handshake delivers the token, events are signed with it, a second handshake and a forged event are refused.
    const hook = await sandbox.webhooks.subscribe({
      url: `http://127.0.0.1:${worker.port}/webhooks/notion`,
      verificationToken: SECRETS.NOTION_WEBHOOK_VERIFICATION_TOKEN,
    });
    sandbox.store.updatePage(sandbox.store.pageIds(sandbox.databases.programs!.dataSourceId)[0]!, { Strategic: { checkbox: true } });
    await hook.idle();
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${worker!.port}/webhooks/notion`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }).then(
        async (r) => `${r.status} ${await r.text()}`,
      );
    const refusals = [
      await post(JSON.stringify({ verification_token: SECRETS.NOTION_WEBHOOK_VERIFICATION_TOKEN })),
      await post(JSON.stringify({ id: "forged", type: "page.created" }), { "x-notion-signature": "sha256=00" }),
    ];
    expect(refusals.map((r) => r.slice(0, 3))).toEqual(["409", "401"]);
    capture("secrets-webhook-answers", refusals.join("\n"));
    type Kpis = {
      databases: Record<string, { last_status: string | null; last_error: string | null; consecutive_failures: number; last_event_at: string | null }>;
    };
    const kpis = await until(
      "two failed runs of risks and milestones",
      async () => {
        const k = JSON.parse((await worker!.get("/api/kpis")).body) as Kpis;
        const failed = (k.databases.risks?.consecutive_failures ?? 0) >= 2 && (k.databases.milestones?.consecutive_failures ?? 0) >= 1;
        return failed && k.databases.programs?.last_event_at ? k : undefined;
      },
      60_000,
      250,
    );
    expect(kpis.databases.risks!.last_error).toMatch(/no results list/);
    expect(kpis.databases.milestones!.last_error).toMatch(/not valid JSON|non-JSON/);
    expect(kpis.databases.programs!.last_status).toBe("success");
    const answers = [];
    for (const path of ["/healthz", "/readyz", "/metrics", "/api/kpis"]) {
      const answer = await worker.get(path);
      expect(answer.status, path).toBe(200);
      capture(`secrets-endpoint${path.replace(/\//g, "-")}`, answer.body);
      answers.push({ where: path, text: answer.body, captured: true });
    }
    sandbox.faults.clear();
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
    capture("secrets-worker", worker.output());
    answers.push({ where: "worker output", text: worker.output(), captured: true });
    expect(worker.output()).toMatch(/"level":10|"level":20/);
    expect(scanForSecrets(answers)).toEqual([]);
  }, 120_000);

  it("not in the run records, any table, the DuckDB file or the watermark directory", async () => {
    const tables = await queryFile(db(), "SELECT schema_name, table_name FROM duckdb_tables() ORDER BY ALL");
    expect(tables.length).toBeGreaterThan(10);
    const items = [];
    for (const t of tables) {
      const rows = await queryFile(db(), `SELECT * FROM "${String(t.schema_name)}"."${String(t.table_name)}"`);
      items.push({ where: `${String(t.schema_name)}.${String(t.table_name)}`, text: json(rows) });
    }
    const runs = await queryFile(db(), "SELECT count(*) AS n FROM ppm_meta.sync_runs WHERE status = 'failed'");
    expect(Number(runs[0]!.n)).toBeGreaterThan(2);
    for (const file of [db(), `${db()}.wal`]) if (existsSync(file)) items.push({ where: file, file });
    const wm = join(dir, "watermarks");
    // The handshake's token is kept in its documented file, readable by the worker's user only; nowhere else.
    expect(readFileSync(join(wm, TOKEN_FILE), "utf8").trim()).toBe(SECRETS.NOTION_WEBHOOK_VERIFICATION_TOKEN);
    expect(statSync(join(wm, TOKEN_FILE)).mode & 0o777).toBe(0o600);
    for (const name of readdirSync(wm).filter((n) => n !== TOKEN_FILE)) items.push({ where: join(wm, name), file: join(wm, name) });
    expect(scanForSecrets(items)).toEqual([]);
  });

  it("not in anything the suite's test files captured so far", () => {
    const files = readdirSync(OUTPUTS);
    expect(files.length).toBeGreaterThan(5);
    // Counted by the final scan of the global teardown, which reads these files (and the later ones) once.
    expect(scanForSecrets(files.map((name) => ({ where: name, file: join(OUTPUTS, name), captured: true })))).toEqual([]);
  });
});
