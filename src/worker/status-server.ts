import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { SyncError } from "../errors.js";

/**
 * The status endpoints of the contract on node:http: /healthz (alive), /readyz (config loaded and
 * the warehouse answers), /metrics (Prometheus text), /api/kpis (JSON), / (the Control Room page,
 * under a Content-Security-Policy that lets nothing load or run). Read-only; GET and HEAD only, except
 * `/webhooks/notion` when webhooks are on (its handler answers every method there).
 */
export interface StatusSources {
  ready(): Promise<{ ok: boolean; reason?: string }>;
  kpis(): Promise<object>;
  registry: Registry;
  /** The Control Room's HTML and the policy it is served under. */
  page(): Promise<string>;
  readonly pagePolicy: string;
  /** `POST /webhooks/notion`, when webhooks are on. */
  readonly webhook?: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
}

const PATHS = ["/", "/healthz", "/readyz", "/metrics", "/api/kpis"];
const WEBHOOK_PATH = "/webhooks/notion";

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

type Reply = {
  send: (status: number, type: string, body: string, headers?: Record<string, string>) => void;
  json: (status: number, body: unknown) => void;
};

async function route(path: string, sources: StatusSources, { send, json }: Reply): Promise<void> {
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
}

export async function startStatusServer(port: number, sources: StatusSources, onError: (error: unknown) => void): Promise<StatusServer> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers });
      response.end(request.method === "HEAD" ? undefined : body);
    };
    const json = (status: number, body: unknown) => send(status, "application/json; charset=utf-8", `${JSON.stringify(body)}\n`);
    const webhook = path === WEBHOOK_PATH ? sources.webhook : undefined;
    if (path === WEBHOOK_PATH && !webhook) return json(404, { error: "webhooks are off: NOTION_WEBHOOKS=on turns them on" });
    if (!webhook && request.method !== "GET" && request.method !== "HEAD") return json(405, { error: "method not allowed" });
    (webhook ? webhook(request, response) : route(path, sources, { send, json })).catch((error: unknown) => {
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
