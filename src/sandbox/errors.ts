/**
 * The sandbox's one error class. Thrown by the store and the routes, translated to a Notion error body
 * (`{object:"error", status, code, message, request_id}`) at the HTTP boundary.
 */
export type SandboxErrorCode =
  | "invalid_json"
  | "invalid_request_url"
  | "invalid_request"
  | "validation_error"
  | "missing_version"
  | "unauthorized"
  | "restricted_resource"
  | "object_not_found"
  | "conflict_error"
  | "rate_limited"
  | "internal_server_error"
  | "bad_gateway"
  | "service_unavailable"
  | "gateway_timeout"
  | "service_overload";

export class SandboxApiError extends Error {
  override readonly name = "SandboxApiError";

  constructor(
    readonly status: number,
    readonly code: SandboxErrorCode,
    message: string,
    readonly additionalData?: Record<string, string | string[]>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** 400 validation_error. */
export function invalid(message: string): SandboxApiError {
  return new SandboxApiError(400, "validation_error", message);
}

/** 400 validation_error with Notion's "body failed validation" wording. */
export function invalidBody(path: string, problem: string): SandboxApiError {
  return invalid(`body failed validation: ${path} ${problem}`);
}

/** 404 object_not_found with Notion's wording, e.g. "Could not find database with ID: …". */
export function notFound(kind: "database" | "data_source" | "page" | "user" | "block", id: string): SandboxApiError {
  const noun = kind === "data_source" ? "data source" : kind;
  return new SandboxApiError(
    404,
    "object_not_found",
    `Could not find ${noun} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
}

/** The status → code → message table used for injected and random faults. */
export const FAULT_BODIES: Readonly<Record<number, { code: SandboxErrorCode; message: string }>> = {
  400: { code: "validation_error", message: "body failed validation (injected fault)." },
  401: { code: "unauthorized", message: "API token is invalid." },
  403: { code: "restricted_resource", message: "API token does not have access to this resource." },
  404: { code: "object_not_found", message: "Could not find object. Make sure the relevant pages and databases are shared with your integration." },
  409: { code: "conflict_error", message: "Conflict occurred while saving. Please try again." },
  429: { code: "rate_limited", message: "You have been rate limited. Please try again in a few minutes." },
  500: { code: "internal_server_error", message: "Unexpected error occurred." },
  502: { code: "bad_gateway", message: "Bad Gateway" },
  503: { code: "service_unavailable", message: "Notion is unavailable, please try again later." },
  504: { code: "gateway_timeout", message: "Gateway Timeout" },
  529: { code: "service_overload", message: "Notion is temporarily overloaded. Please try again later." },
};

/** The error for an arbitrary HTTP status (used by fault rules). */
export function faultError(status: number, retryAfterSec?: number): SandboxApiError {
  const known = FAULT_BODIES[status] ?? { code: "internal_server_error" as const, message: `Injected fault ${status}.` };
  const headers: Record<string, string> = {};
  if (retryAfterSec !== undefined || status === 429 || status === 529) {
    headers["retry-after"] = String(Math.max(0, Math.round(retryAfterSec ?? 1)));
  }
  const extra = status === 429 ? { rate_limit_reason: "public_api_request_rate_limit" } : undefined;
  return new SandboxApiError(status, known.code, known.message, extra, headers);
}
