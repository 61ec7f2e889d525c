import { APIResponseError } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor, header } from "./support.js";

describe("rate limiting (token bucket per token)", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ rps: 3 });
  });
  afterAll(() => sandbox.close());

  const burst = async (n: number) => {
    const notion = clientFor(sandbox);
    return Promise.all(
      Array.from({ length: n }, () =>
        notion.users.me({}).then(
          () => "ok" as const,
          (e: unknown) => e,
        ),
      ),
    );
  };

  it("rps 3 allows a burst of 6, then answers 429 rate_limited with an integer Retry-After", async () => {
    const results = await burst(10);
    const limited = results.filter((r): r is APIResponseError => APIResponseError.isAPIResponseError(r));
    expect(results.filter((r) => r === "ok").length).toBeGreaterThanOrEqual(6);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    for (const e of limited) {
      expect([e.status, e.code]).toEqual([429, "rate_limited"]);
      expect(header(e, "retry-after")).toMatch(/^[1-9]\d*$/);
      expect(e.additional_data).toEqual({ rate_limit_reason: "public_api_request_rate_limit" });
    }
  });

  it("the SDK's own retry honours Retry-After and gets through", async () => {
    sandbox.setRateLimit(3);
    const notion = clientFor(sandbox, { retry: { maxRetries: 3 } });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 8 }, () => notion.users.me({})));
    expect(results).toHaveLength(8);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("setRateLimit changes the limit at run time; rps 0 turns it off", async () => {
    sandbox.setRateLimit(1, 1);
    const tight = await burst(2);
    expect(APIResponseError.isAPIResponseError(tight[1]) && header(tight[1], "retry-after")).toBe("1");
    sandbox.setRateLimit(0);
    const free = await burst(30);
    expect(free.every((r) => r === "ok")).toBe(true);
  });
});
