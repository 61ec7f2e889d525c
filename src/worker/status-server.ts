import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { SyncError } from "../errors.js";

/**
 * The status endpoints of the contract on node:http: /healthz (alive), /readyz (config loaded and
 * the warehouse answers), /metrics (Prometheus text), /api/kpis (JSON), / (the Control Room page,
 * under a Content-Security-Policy that lets nothing load or run). Read-only; GET and HEAD only.
 */
export interface StatusSources {
  ready(): Promise<{ ok: boolean; reason?: string }>;
  kpis(): Promise<object>;
  registry: Registry;
  /** The Control Room's HTML and the policy it is served under. */
  page(): Promise<string>;
  readonly pagePolicy: string;
}

const PATHS = ["/", "/healthz", "/readyz", "/metrics", "/api/kpis"];

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startStatusServer(port: number, sources: StatusSources, onError: (error: unknown) => void): Promise<StatusServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    const json = (status: number, body: unknown) => send(status, "application/json; charset=utf-8", `${JSON.stringify(body)}\n`);
    if (request.method !== "GET" && request.method !== "HEAD") return json(405, { error: "method not allowed" });
    const handle = async () => {
      switch (path) {
        case "/healthz":
          return json(200, { status: "ok" });
        case "/readyz": {
          const ready = await sources.ready();
          return json(ready.ok ? 200 : 503, ready.ok ? { status: "ready" } : { status: "not ready", reason: ready.reason });
        }
        case "/metrics":
          return send(200, sources.registry.contentType, await sources.registry.metrics());
        case "/api/kpis":
          return json(200, await sources.kpis());
        case "/":
          return send(200, "text/html; charset=utf-8", await sources.page(), {
            "content-security-policy": sources.pagePolicy,
            "referrer-policy": "no-referrer",
          });
        default:
          return json(404, { error: "not found", paths: PATHS });
      }
    };
    handle().catch((error: unknown) => {
      onError(error);
      if (!response.headersSent) json(500, { error: "internal error" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new SyncError("config_invalid", `port ${port} is already in use (PORT=${port}): stop what listens there, or set PORT to a free port`, {
              cause: error,
            })
          : error,
      ),
    );
    server.listen(port, "0.0.0.0", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
