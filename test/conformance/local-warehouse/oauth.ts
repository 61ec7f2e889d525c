import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The OAuth side of a workspace, for machine-to-machine sign-in as the driver does it: OIDC discovery
 * at `https://<workspace>/oidc/.well-known/oauth-authorization-server`, then a `client_credentials`
 * grant at `/oidc/v1/token` with the client id and secret in Basic auth. A granted token is a JWT, as
 * Databricks issues them (the driver reads its `exp` to know when to ask again), that the warehouse
 * then takes as a bearer token.
 */
export interface OAuthClient {
  readonly id: string;
  readonly secret: string;
}

/** One token request as the endpoint saw it (never the secret). */
export interface TokenRequest {
  /** `host/path` of the token endpoint that was asked. */
  readonly endpoint: string;
  readonly grantType: string | null;
  readonly scope: string | null;
  readonly clientId: string;
  readonly granted: boolean;
}

/** Answers an OAuth request and returns true, or returns false for any other request. */
export function serveOAuth(
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
  client: OAuthClient,
  issued: Set<string>,
  seen: TokenRequest[],
): boolean {
  const host = request.headers.host ?? "";
  const path = request.url?.split("?")[0] ?? "";
  if (request.method === "GET" && path === "/oidc/.well-known/oauth-authorization-server") {
    const base = `https://${host}/oidc`;
    json(response, 200, {
      issuer: base,
      authorization_endpoint: `${base}/v1/authorize`,
      token_endpoint: `${base}/v1/token`,
      jwks_uri: `${base}/jwks.json`,
      grant_types_supported: ["client_credentials", "authorization_code", "refresh_token"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    });
    return true;
  }
  if (request.method !== "POST" || path !== "/oidc/v1/token") return false;
  const form = new URLSearchParams(body.toString("utf8"));
  const [id = "", secret = ""] = Buffer.from((request.headers.authorization ?? "").replace(/^Basic /, ""), "base64")
    .toString("utf8")
    .split(":")
    .map((part) => decodeURIComponent(part.replace(/\+/g, " ")));
  const granted = id === client.id && secret === client.secret && form.get("grant_type") === "client_credentials";
  seen.push({ endpoint: `${host}${path}`, grantType: form.get("grant_type"), scope: form.get("scope"), clientId: id, granted });
  if (granted) {
    const token = accessToken(id);
    issued.add(token);
    json(response, 200, { access_token: token, token_type: "Bearer", expires_in: 3_600 });
  } else json(response, 401, { error: "invalid_client", error_description: "Client authentication failed" });
  return true;
}

/** A JWT-shaped token for an hour (signed with nothing: the local warehouse knows the tokens it issued). */
function accessToken(clientId: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1_000);
  return `${part({ alg: "none", typ: "JWT" })}.${part({ sub: clientId, iat: now, exp: now + 3_600, jti: randomUUID() })}.`;
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(value));
}
