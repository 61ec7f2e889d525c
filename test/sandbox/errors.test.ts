import { APIErrorCode, APIResponseError, UnknownHTTPResponseError, type Client } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor, header, rawCall } from "./support.js";

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the request to fail");
    },
    (error: unknown) => error,
  );
}

describe("errors as the SDK sees them", () => {
  let sandbox: Sandbox;
  let notion: Client;
  beforeAll(async () => {
    sandbox = await startSandbox();
    notion = clientFor(sandbox);
  });
  afterAll(() => sandbox.close());

  it("every response carries x-notion-request-id; error bodies carry request_id", async () => {
    const ok = await rawCall(sandbox, "GET", "/v1/users/me");
    expect(ok.headers.get("x-notion-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await rawCall(sandbox, "GET", "/v1/nope");
    expect(bad.json()).toMatchObject({ object: "error", status: 400, code: "invalid_request_url", request_id: bad.headers.get("x-notion-request-id") });
  });

  it("401 unauthorized for a wrong or missing token", async () => {
    const wrong = clientFor(sandbox, { auth: "secret_wrong" });
    const error = await failure(wrong.users.me({}));
    expect(APIResponseError.isAPIResponseError(error) && [error.status, error.code]).toEqual([401, APIErrorCode.Unauthorized]);
    const missing = await rawCall(sandbox, "GET", "/v1/users/me", { headers: { authorization: undefined } });
    expect(missing.json()).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("400 missing_version without Notion-Version (an UnknownHTTPResponseError for the SDK)", async () => {
    const raw = await rawCall(sandbox, "GET", "/v1/users/me", { headers: { "notion-version": undefined } });
    expect(raw.status).toBe(400);
    expect(raw.json()).toMatchObject({ code: "missing_version", message: expect.stringContaining("Notion-Version header failed validation") });
    const viaSdk = clientFor(sandbox, {
      fetch: (url, init) => {
        const headers = { ...(init?.headers as Record<string, string>) };
        delete headers["Notion-Version"];
        return fetch(url, { ...init, headers });
      },
    });
    const error = await failure(viaSdk.users.me({}));
    expect(UnknownHTTPResponseError.isUnknownHTTPResponseError(error) && error.status).toBe(400);
  });

  it("400 invalid_json for a malformed body", async () => {
    const raw = await rawCall(sandbox, "POST", `/v1/data_sources/${sandbox.databases.risks!.dataSourceId}/query`, { body: "{nope" });
    expect(raw.json()).toMatchObject({ status: 400, code: "invalid_json", message: "Error parsing JSON body." });
  });

  it("400 validation_error for a malformed id, 404 object_not_found with Notion's wording", async () => {
    const malformed = await failure(notion.pages.retrieve({ page_id: "not-an-id" }));
    expect(APIResponseError.isAPIResponseError(malformed) && malformed.code).toBe(APIErrorCode.ValidationError);
    const id = "5c6a2821-6bb1-4a7e-b6e1-c50111515c3d";
    const missing = await failure(notion.databases.retrieve({ database_id: id }));
    expect(APIResponseError.isAPIResponseError(missing) && [missing.status, missing.code]).toEqual([404, APIErrorCode.ObjectNotFound]);
    expect((missing as Error).message).toBe(
      `Could not find database with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
    );
    const page = await failure(notion.pages.retrieve({ page_id: id }));
    expect((page as Error).message).toMatch(/^Could not find page with ID/);
  });

  it.each([
    [429, APIErrorCode.RateLimited],
    [500, APIErrorCode.InternalServerError],
    [503, APIErrorCode.ServiceUnavailable],
    [504, APIErrorCode.GatewayTimeout],
    [529, APIErrorCode.ServiceOverload],
    [409, APIErrorCode.ConflictError],
  ])("injected %i arrives as APIResponseError %s", async (status, code) => {
    sandbox.faults.inject({ path: "/v1/users/me", status, times: 1, ...(status === 429 ? { retryAfterSec: 7 } : {}) });
    const error = await failure(notion.users.me({}));
    expect(APIResponseError.isAPIResponseError(error) && [error.status, error.code]).toEqual([status, code]);
    const e = error as APIResponseError;
    expect(e.request_id).toMatch(/^[0-9a-f-]{36}$/);
    if (status === 429) {
      expect(header(e, "retry-after")).toBe("7");
      expect(e.additional_data).toEqual({ rate_limit_reason: "public_api_request_rate_limit" });
    }
    if (status === 529) expect(Number(header(e, "retry-after"))).toBeGreaterThanOrEqual(1);
    await expect(notion.users.me({})).resolves.toMatchObject({ type: "bot" });
  });

  it("502 bad_gateway and an HTML proxy page arrive as UnknownHTTPResponseError", async () => {
    sandbox.faults.inject({ method: "GET", path: /\/v1\/users\/me$/, status: 502, times: 1 });
    const gateway = await failure(notion.users.me({}));
    expect(UnknownHTTPResponseError.isUnknownHTTPResponseError(gateway) && gateway.status).toBe(502);
    expect(JSON.parse((gateway as UnknownHTTPResponseError).body)).toMatchObject({ code: "bad_gateway" });
    sandbox.faults.inject({ kind: "html", times: 1 });
    const html = await failure(notion.users.me({}));
    expect(UnknownHTTPResponseError.isUnknownHTTPResponseError(html) && html.status).toBe(502);
    expect((html as UnknownHTTPResponseError).body).toContain("<html>");
  });

  it("a dropped connection surfaces as a network error (not a NotionClientError)", async () => {
    sandbox.faults.inject({ kind: "drop", times: 1 });
    const error = await failure(notion.users.me({}));
    expect(error).toBeInstanceOf(TypeError);
    expect(sandbox.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/users/me", status: 0 });
  });

  it("the query datastore 503 carries additional_data; the SDK retries 429 with Retry-After", async () => {
    sandbox.faults.inject({ path: /\/query$/, status: 503, times: 1 });
    const raw = await rawCall(sandbox, "POST", `/v1/data_sources/${sandbox.databases.risks!.dataSourceId}/query`);
    expect(raw.json()).toMatchObject({ status: 503, code: "service_unavailable", additional_data: { endpoint_name: "public_queryDataSource" } });
    sandbox.faults.inject({ path: "/v1/users/me", status: 429, retryAfterSec: 0, times: 1 });
    const retrying = clientFor(sandbox, { retry: { maxRetries: 1 } });
    await expect(retrying.users.me({})).resolves.toMatchObject({ type: "bot" });
  });
});
