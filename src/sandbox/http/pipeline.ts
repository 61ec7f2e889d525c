import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { faultError, SandboxApiError } from "../errors.js";
import { API_VERSIONS, type ApiVersion } from "../render/page.js";
import type { Workspace } from "../store/workspace.js";
import type { RequestLogEntry } from "../types.js";
import type { FaultInjector, ReplacingFault } from "./faults.js";
import type { TokenBucketLimiter } from "./rate-limit.js";
import { sendError, sendHtml, sendText } from "./respond.js";
import { dispatch, type Route } from "./router.js";
import { sendJson } from "./respond.js";

export interface PipelineDeps {
  ws: Workspace;
  token: string;
  resultLimit: number;
  latencyMs: number;
  faults: FaultInjector;
  limiter: TokenBucketLimiter;
  log: RequestLogEntry[];
  routes: readonly Route[];
  baseUrl: () => string;
  /** Pending latency timers, cleared on close. */
  timers: Set<NodeJS.Timeout>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function delay(deps: PipelineDeps, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      deps.timers.delete(timer);
      resolve();
    }, ms);
    deps.timers.add(timer);
  });
}

/**
 * The request lifecycle: read body → latency → injected fault rules → Notion-Version → bearer token →
 * rate limit → random faults → JSON parse → route. Every answer carries `x-notion-request-id` and is logged.
 */
export function createRequestHandler(deps: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = randomUUID();
    // Notion's clock, as its answers' Date header carries it: the sandbox's (which stamps the pages).
    res.setHeader("date", new Date(deps.ws.now()).toUTCString());
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const record = (status: number) => deps.log.push({ method, path: url.pathname, status, at: Date.now() });
    const answer = async (): Promise<void> => {
      const text = await readBody(req);
      if (deps.latencyMs > 0) await delay(deps, deps.latencyMs);
      if (res.destroyed) return;
      const injected = deps.faults.match(method, url.pathname);
      const isQuery = method === "POST" && url.pathname.endsWith("/query");
      if (injected && injected.kind !== "mutate") return applyFault(injected, res, requestId, record, isQuery);
      const version = checkVersion(req.headers["notion-version"]);
      const auth = req.headers["authorization"];
      if (auth !== `Bearer ${deps.token}`) throw new SandboxApiError(401, "unauthorized", "API token is invalid.");
      const allowed = deps.limiter.take(deps.token);
      if (!allowed.ok) {
        throw new SandboxApiError(
          429,
          "rate_limited",
          "You have been rate limited. Please try again in a few minutes.",
          { rate_limit_reason: "public_api_request_rate_limit" },
          { "retry-after": String(allowed.retryAfterSec) },
        );
      }
      const random = deps.faults.random();
      if (random) return applyFault(random, res, requestId, record, isQuery);
      const body = parseJson(text);
      const result = dispatch(deps.routes, url.pathname, {
        method,
        query: url.searchParams,
        body,
        version,
        ws: deps.ws,
        baseUrl: deps.baseUrl(),
        resultLimit: deps.resultLimit,
      });
      sendJson(res, 200, injected?.kind === "mutate" ? injected.mutate(result) : result, requestId);
      record(200);
    };
    answer().catch((error: unknown) => {
      const apiError = error instanceof SandboxApiError ? error : unexpected(error, method, url.pathname);
      if (res.headersSent || res.destroyed) return;
      sendError(res, apiError, requestId);
      record(apiError.status);
    });
  };
}

function unexpected(error: unknown, method: string, path: string): SandboxApiError {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`[notion-sandbox] unexpected error in ${method} ${path}: ${detail}\n`);
  return new SandboxApiError(500, "internal_server_error", "Unexpected error occurred.");
}

function checkVersion(header: string | string[] | undefined): ApiVersion {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === "") {
    throw new SandboxApiError(
      400,
      "missing_version",
      "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
    );
  }
  if (!(API_VERSIONS as readonly string[]).includes(value)) {
    throw new SandboxApiError(
      400,
      "validation_error",
      `Notion-Version header failed validation: Notion-Version header should be one of ${API_VERSIONS.join(", ")}, instead was \`${value}\`.`,
    );
  }
  return value as ApiVersion;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) throw new SandboxApiError(400, "invalid_json", "Error parsing JSON body.");
    throw error;
  }
}

function applyFault(fault: ReplacingFault, res: ServerResponse, requestId: string, record: (status: number) => void, isQuery = false): void {
  if (fault.kind === "drop") {
    res.socket?.destroy();
    record(0);
    return;
  }
  if (fault.kind === "html") {
    sendHtml(res, fault.status, requestId);
    record(fault.status);
    return;
  }
  if (fault.kind === "body") {
    sendText(res, fault.status, fault.body, requestId);
    record(fault.status);
    return;
  }
  const error = faultError(fault.status, fault.retryAfterSec);
  const timeout =
    isQuery && fault.status === 503
      ? new SandboxApiError(
          503,
          "service_unavailable",
          "Public API data source query is temporarily unavailable due to backend datastore timeouts. Retry with exponential backoff; if retries continue to fail, reduce page_size or narrow filters/sorts.",
          {
            endpoint_name: "public_queryDataSource",
            notion_error_name: "PgPoolWaitConnectionTimeout",
            retry_guidance: ["Use exponential backoff with jitter", "Reduce page_size", "Narrow query filters/sorts"],
          },
        )
      : error;
  sendError(res, timeout, requestId);
  record(fault.status);
}
