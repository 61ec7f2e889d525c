import { spawn } from "node:child_process";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/**
 * WAREHOUSE=databricks at the edges no test warehouse can show: missing settings, a host that
 * refuses, and one that accepts the connection and never answers. Secrets never appear.
 */
const NOTION_TOKEN = "secret_dbx_cli_Pq7";
const DATABRICKS_TOKEN = "dapi0123456789abcdef0123456789abcdef";
const CLIENT_SECRET = "dose0123456789secretvalue";
const PROXY_PASSWORD = "proxy-pass-Zx81";
let fixture: SyncFixture;
let silent: Server;
let silentPort: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  fixture = await syncFixture({ seed: 3, token: NOTION_TOKEN });
  // Accepts TCP connections and never says a word (a firewall that drops, a hung proxy).
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  silentPort = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await fixture.close();
});

const databricks = (extra: Record<string, string>) =>
  fixture.env({ WAREHOUSE: "databricks", DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/abc123", DATABRICKS_TOKEN, ...extra });
const noSecrets = (text: string) => {
  for (const secret of [NOTION_TOKEN, DATABRICKS_TOKEN, CLIENT_SECRET]) expect(text).not.toContain(secret);
};

describe("WAREHOUSE=databricks", () => {
  it("exits 2 naming DATABRICKS_HOST when it is not set", async () => {
    const result = await runCli(["sync"], databricks({}));
    noSecrets(result.stdout + result.stderr);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABRICKS_HOST: is not set/);
  });

  it("exits 2 naming the missing half of the OAuth pair, and refuses a token together with it", async () => {
    const env = databricks({ DATABRICKS_HOST: "adb-1.azuredatabricks.net", DATABRICKS_CLIENT_ID: "sp-app-id" });
    delete (env as Record<string, string | undefined>).DATABRICKS_TOKEN;
    const half = await runCli(["sync"], env);
    expect([half.code, /DATABRICKS_CLIENT_SECRET: is not set/.test(half.stderr)]).toEqual([2, true]);
    const both = await runCli(
      ["sync"],
      databricks({ DATABRICKS_HOST: "adb-1.azuredatabricks.net", DATABRICKS_CLIENT_ID: "sp-app-id", DATABRICKS_CLIENT_SECRET: CLIENT_SECRET }),
    );
    noSecrets(both.stdout + both.stderr);
    expect([both.code, /choose one way to sign in/.test(both.stderr)]).toEqual([2, true]);
  });

  it("fails a sync with a clear connection error when the host never answers within the startup budget, and exits right after it", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sync"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        LOG_LEVEL: "warn",
        // A silent host looks like a warehouse that is starting: tried again until the budget is spent.
        ...databricks({ DATABRICKS_HOST: `127.0.0.1:${silentPort}`, DATABRICKS_CONNECT_TIMEOUT_MS: "2000", DATABRICKS_STARTUP_TIMEOUT_MS: "2500" }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let reported: number | undefined;
    const expected = `cannot open a session on the Databricks SQL warehouse at 127.0.0.1:${silentPort}/sql/1.0/warehouses/abc123: no answer within 2000 ms (DATABRICKS_CONNECT_TIMEOUT_MS) (still not ready after 5 s of DATABRICKS_STARTUP_TIMEOUT_MS)`;
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (reported === undefined && output.includes(expected)) reported = Date.now();
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const exited = Date.now();
    noSecrets(output);
    expect(code).toBe(1);
    expect(reported, output).toBeDefined();
    // No request outlives the error: the process ends on its own, not by the CLI's 5 s exit watchdog.
    expect(exited - reported!).toBeLessThan(4_000);
  });

  it("still checks the warehouse in verify when the Notion token is refused", async () => {
    const result = await runCli(
      ["verify", "--json"],
      databricks({
        NOTION_TOKEN: "secret_refused_token_xyz",
        DATABRICKS_HOST: `127.0.0.1:${silentPort}`,
        DATABRICKS_CONNECT_TIMEOUT_MS: "2000",
        DATABRICKS_STARTUP_TIMEOUT_MS: "0",
      }),
    );
    noSecrets(result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean }[] };
    expect(report.checks.filter((c) => ["notion token", "warehouse"].includes(c.name))).toEqual([
      { name: "notion token", ok: false, detail: expect.any(String), fix: expect.any(String) },
      { name: "warehouse", ok: false, detail: expect.stringContaining("no answer within 2000 ms"), fix: expect.stringContaining("DATABRICKS_HOST") },
    ]);
    expect(result.code).toBe(1);
  });

  it("reaches the workspace through HTTPS_PROXY (its credentials in no output), and directly for a host in NO_PROXY", async () => {
    const seen: { target: string; auth: string | undefined }[] = [];
    const proxy = createHttpServer();
    proxy.on("connect", (req: IncomingMessage, socket: Socket) => {
      seen.push({ target: req.url ?? "", auth: req.headers["proxy-authorization"] });
      socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyUrl = `http://nds:${PROXY_PASSWORD}@127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      const host = "adb-1234567890123456.7.azuredatabricks.net";
      const through = await runCli(["verify", "--json"], databricks({ DATABRICKS_HOST: host, HTTPS_PROXY: proxyUrl, DATABRICKS_STARTUP_TIMEOUT_MS: "0" }));
      noSecrets(through.stdout + through.stderr);
      expect(through.stdout + through.stderr).not.toContain(PROXY_PASSWORD);
      expect(seen[0]).toEqual({ target: `${host}:443`, auth: `Basic ${Buffer.from(`nds:${PROXY_PASSWORD}`).toString("base64")}` });
      expect(through.code).toBe(1);

      seen.length = 0;
      const direct = await runCli(
        ["verify", "--json"],
        databricks({
          DATABRICKS_HOST: `127.0.0.1:${silentPort}`,
          HTTPS_PROXY: proxyUrl,
          NO_PROXY: "127.0.0.1",
          DATABRICKS_CONNECT_TIMEOUT_MS: "2000",
          DATABRICKS_STARTUP_TIMEOUT_MS: "0",
        }),
      );
      const report = JSON.parse(direct.stdout) as { checks: { name: string; detail: string }[] };
      expect(report.checks.find((c) => c.name === "warehouse")?.detail).toContain("no answer within 2000 ms");
      expect(seen).toEqual([]);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("names a refused connection, and verify reports the warehouse check as failed with a fix", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await runCli(["verify", "--json"], databricks({ DATABRICKS_HOST: `127.0.0.1:${port}`, DATABRICKS_CONNECT_TIMEOUT_MS: "2000" }));
    noSecrets(result.stdout + result.stderr);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] };
    const warehouse = report.checks.find((c) => c.name === "warehouse");
    expect(warehouse).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/cannot open a session on the Databricks SQL warehouse at 127\.0\.0\.1:\d+.*ECONNREFUSED/),
      fix: expect.stringContaining("DATABRICKS_HOST"),
    });
    // The other checks still ran.
    expect(report.checks.find((c) => c.name === "notion token")?.ok).toBe(true);
  });
});
