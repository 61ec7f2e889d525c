import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runCli } from "../support/cli.js";
import { mappingColumns } from "../support/oracle.js";
import { expectSilverEqualsSandbox } from "../support/silver-check.js";

/**
 * Notion's requests through the proxy HTTPS_PROXY (here HTTP_PROXY: the sandbox is plain http) and
 * NO_PROXY name, as the Databricks driver's already go: the real CLI against the sandbox through a
 * local CONNECT proxy that checks its credentials and counts the tunnels it opened.
 */
const columns = mappingColumns("config/notion_mapping.yaml");
const USER = "svc@corp";
const PASSWORD = "p/ss:w%rd-Proxy7";
const proxyUrl = (port: number, password = PASSWORD) => `http://${encodeURIComponent(USER)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;

interface TunnelLog {
  readonly targets: string[];
  readonly refused: number[];
}

/** A forward proxy that opens CONNECT tunnels for the right Basic credentials and answers 407 otherwise. */
async function startProxy(log: TunnelLog): Promise<{ server: Server; port: number }> {
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on("connect", (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (req.headers["proxy-authorization"] !== expected) {
      log.refused.push(407);
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    log.targets.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  server.on("close", () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

let sandbox: Sandbox;
let proxy: { server: Server; port: number };
let log: TunnelLog;
let dir: string;
const db = () => join(dir, "warehouse.duckdb");
const env = (extra: Record<string, string>) => ({
  ...sandbox.env(),
  DUCKDB_PATH: db(),
  WATERMARK_DIR: join(dir, "watermarks"),
  NOTION_RPS: "200",
  NOTION_BURST: "50",
  ...extra,
});

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 4 });
  log = { targets: [], refused: [] };
  proxy = await startProxy(log);
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "nds-proxy-"));
  log.targets.length = 0;
  log.refused.length = 0;
  return () => rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  proxy.server.close();
  await sandbox.close();
});

describe("Notion's requests through the environment's proxy", () => {
  it("syncs every page through the proxy, with its percent-encoded credentials, and never prints the password", async () => {
    const result = await runCli(["sync", "--json"], env({ HTTP_PROXY: proxyUrl(proxy.port) }));
    expect(result.code, result.stderr).toBe(0);
    const sandboxHost = new URL(sandbox.url).host;
    expect(log.targets.length).toBeGreaterThan(0);
    expect(new Set(log.targets)).toEqual(new Set([sandboxHost]));
    for (const key of Object.keys(columns)) await expectSilverEqualsSandbox(sandbox, db(), key, columns[key]!);
    for (const output of [result.stdout, result.stderr]) {
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(encodeURIComponent(PASSWORD));
    }
  });

  it("goes direct to a host NO_PROXY names", async () => {
    const result = await runCli(["sync", "--json"], env({ HTTP_PROXY: proxyUrl(proxy.port), NO_PROXY: "localhost,127.0.0.1" }));
    expect(result.code, result.stderr).toBe(0);
    expect(log.targets).toEqual([]);
    expect(log.refused).toEqual([]);
  });

  it("fails with the proxy's refusal, naming its address and not the password, when it wants other credentials", async () => {
    const wrong = "not-the-Pa55word";
    const result = await runCli(["verify"], env({ HTTP_PROXY: proxyUrl(proxy.port, wrong), NOTION_MAX_RETRIES: "0" }));
    expect(result.code).not.toBe(0);
    expect(log.refused.length).toBeGreaterThan(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain(`the proxy at 127.0.0.1:${proxy.port} (HTTPS_PROXY or ALL_PROXY) asked for credentials (407)`);
    expect(output).not.toContain(wrong);
  });

  it("says that the proxy cannot be reached, not Notion, when nothing listens at its address", async () => {
    const closed = await startProxy({ targets: [], refused: [] });
    await new Promise((resolve) => closed.server.close(resolve));
    const result = await runCli(["verify"], env({ HTTP_PROXY: proxyUrl(closed.port), NOTION_MAX_RETRIES: "0" }));
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(`cannot reach the proxy at 127.0.0.1:${closed.port} (HTTPS_PROXY or ALL_PROXY) (ECONNREFUSED)`);
  });
});
