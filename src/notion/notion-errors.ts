import { APIResponseError, RequestTimeoutError, UnknownHTTPResponseError, isHTTPResponseError } from "@notionhq/client";
import { SyncError, type ErrorCode } from "../errors.js";
import { ProxyRefusal } from "./proxied-fetch.js";

/**
 * Translates whatever the Notion client threw into a SyncError with a closed code, whether a retry
 * can help, the Notion request id, and a message that says what to do. The retry policy looks only
 * at `transient` and `retryAfterMs`.
 */
export class NotionError extends SyncError {
  override readonly name = "NotionError";
  readonly status: number | undefined;
  /** From `Retry-After` (429 and 529): how long the whole pacer must wait. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: { transient: boolean; status?: number; retryAfterMs?: number; requestId?: string; cause?: unknown }) {
    super(code, message, { transient: options.transient, cause: options.cause, context: options.requestId ? { notionRequestId: options.requestId } : {} });
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The retry policy as a table: HTTP status → code, transient?, and the advice a person needs. */
const BY_STATUS: Record<number, { code: ErrorCode; transient: boolean; advice: string }> = {
  400: { code: "notion_bad_request", transient: false, advice: "the request was rejected; check the mapping's database and property names" },
  401: { code: "notion_unauthorized", transient: false, advice: "NOTION_TOKEN is invalid or revoked: create a new integration token and update the secret" },
  403: {
    code: "notion_forbidden",
    transient: false,
    advice: "the integration lacks access or the 'Read content' capability: enable it in the integration settings",
  },
  404: {
    code: "notion_not_found",
    transient: false,
    advice: "not found or not shared with the integration: open it in Notion, ••• → Connections, and add the integration",
  },
  409: { code: "notion_unavailable", transient: true, advice: "Notion reported a conflict; retrying" },
  429: { code: "notion_rate_limited", transient: true, advice: "rate limited by Notion; waiting for Retry-After" },
  529: { code: "notion_rate_limited", transient: true, advice: "Notion is overloaded; waiting for Retry-After" },
};

/** Notion's public API: where the client goes when NOTION_BASE_URL is unset. */
export const NOTION_API_URL = "https://api.notion.com";

/** Connection errors that say nothing listens at the address (or the name does not resolve), rather than a flaky network. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

export function toNotionError(error: unknown, what: string, baseUrl: string = NOTION_API_URL): NotionError {
  if (error instanceof NotionError) return error;
  if (error instanceof ProxyRefusal) return new NotionError(error.code, `${what}: ${error.message}`, { transient: error.transient, cause: error });
  if (isHTTPResponseError(error)) {
    const status = error.status;
    const entry =
      BY_STATUS[status] ??
      (status >= 500
        ? { code: "notion_unavailable" as const, transient: true, advice: "Notion had a server error; retrying" }
        : { code: "notion_bad_request" as const, transient: false, advice: "unexpected answer from Notion" });
    const kind = APIResponseError.isAPIResponseError(error)
      ? error.code
      : UnknownHTTPResponseError.isUnknownHTTPResponseError(error)
        ? "non-JSON response"
        : "error";
    const detail = APIResponseError.isAPIResponseError(error) ? `: ${error.message}` : "";
    return new NotionError(entry.code, `${what}: Notion answered ${status} ${kind}${detail} (${entry.advice})`, {
      transient: entry.transient,
      status,
      retryAfterMs: retryAfterMs(error.headers),
      requestId: error.request_id,
      cause: error,
    });
  }
  if (RequestTimeoutError.isRequestTimeoutError(error)) {
    return new NotionError("notion_timeout", `${what}: the request to Notion timed out`, { transient: true, cause: error });
  }
  if (error instanceof SyntaxError) {
    return new NotionError("notion_bad_response", `${what}: Notion's answer was not valid JSON (a proxy error page?)`, { transient: true, cause: error });
  }
  const code = errnoCode(error);
  if (code && UNREACHABLE_CODES.has(code)) {
    const reason = code === "ECONNREFUSED" ? "connection refused" : "host name not found";
    return new NotionError("notion_unreachable", `${what}: cannot reach Notion at ${baseUrl} (${reason}): check NOTION_BASE_URL and the network`, {
      transient: true,
      cause: error,
    });
  }
  if (isNetworkError(error)) {
    return new NotionError("notion_network", `${what}: network error talking to Notion (${describeCause(error)})`, { transient: true, cause: error });
  }
  return new NotionError("notion_bad_response", `${what}: ${error instanceof Error ? error.message : String(error)}`, { transient: false, cause: error });
}

function retryAfterMs(headers: unknown): number | undefined {
  const value = typeof (headers as Headers | undefined)?.get === "function" ? (headers as Headers).get("retry-after") : undefined;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** The system error code of an error or of its cause (fetch wraps it: `TypeError: fetch failed`, cause `ECONNREFUSED`). */
function errnoCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = error.cause as (NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] }) | undefined;
  return (error as NodeJS.ErrnoException).code ?? cause?.code ?? cause?.errors?.[0]?.code;
}

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = errnoCode(error);
  if (code && NETWORK_CODES.has(code)) return true;
  return error instanceof TypeError && /fetch failed|terminated|network/i.test(error.message);
}

function describeCause(error: unknown): string {
  const cause = (error as Error).cause as Error | undefined;
  return cause?.message ?? (error as Error).message;
}
