import type { ServerResponse } from "node:http";
import type { SandboxApiError } from "../errors.js";

/** Sends a JSON body with `x-notion-request-id`. */
export function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "x-notion-request-id": requestId,
    ...headers,
  });
  res.end(text);
}

/** Sends `text` as is, labelled JSON (a malformed answer, for fault rules). */
export function sendText(res: ServerResponse, status: number, text: string, requestId: string): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "x-notion-request-id": requestId });
  res.end(text);
}

/** Sends a Notion error body: `{object:"error", status, code, message, request_id}` (+ `additional_data`). */
export function sendError(res: ServerResponse, error: SandboxApiError, requestId: string): void {
  const body: Record<string, unknown> = { object: "error", status: error.status, code: error.code, message: error.message };
  if (error.additionalData) body["additional_data"] = error.additionalData;
  body["request_id"] = requestId;
  sendJson(res, error.status, body, requestId, error.headers ?? {});
}

const REASONS: Record<number, string> = { 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };

/** An HTML error page, as an edge proxy (Cloudflare) would answer. */
export function sendHtml(res: ServerResponse, status: number, requestId: string): void {
  const title = `${status} ${REASONS[status] ?? "Error"}`;
  const text = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n`;
  res.writeHead(status, {
    "content-type": "text/html",
    "content-length": Buffer.byteLength(text),
    "cf-ray": `${requestId.replace(/-/g, "").slice(0, 16)}-LHR`,
    "x-notion-request-id": requestId,
  });
  res.end(text);
}
