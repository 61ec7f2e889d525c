import { afterEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { rawCall } from "./support.js";

async function statuses(sandbox: Sandbox, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const status = await rawCall(sandbox, "GET", "/v1/users/me").then(
      (r) => r.status,
      (e: unknown) => {
        if (e instanceof TypeError) return 0;
        throw e;
      },
    );
    out.push(status);
  }
  return out;
}

describe("fault injection", () => {
  const open: Sandbox[] = [];
  const start = async (options: Parameters<typeof startSandbox>[0]) => {
    const sandbox = await startSandbox(options);
    open.push(sandbox);
    return sandbox;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  it("faultRate answers a seeded share of requests with 500/502/503/504/529 or a dropped connection", async () => {
    const a = await start({ seed: 7, faultRate: 0.5 });
    const seen = await statuses(a, 60);
    const faults = seen.filter((s) => s !== 200);
    expect(faults.length).toBeGreaterThan(15);
    expect(faults.length).toBeLessThan(45);
    expect(new Set(faults).size).toBeGreaterThanOrEqual(4);
    for (const s of faults) expect([0, 500, 502, 503, 504, 529]).toContain(s);
    expect(a.requests.map((r) => r.status)).toEqual(seen);
    const b = await start({ seed: 7, faultRate: 0.5 });
    expect(await statuses(b, 60)).toEqual(seen);
  });

  it("529 service_overload carries Retry-After; random 5xx bodies have the right codes", async () => {
    const sandbox = await start({ seed: 3, faultRate: 1 });
    const codes = new Map<number, string>();
    for (let i = 0; i < 40; i++) {
      const res = await rawCall(sandbox, "GET", "/v1/users/me").catch((e: unknown) => (e instanceof TypeError ? undefined : Promise.reject(e as Error)));
      if (!res) continue;
      codes.set(res.status, res.json()["code"] as string);
      if (res.status === 529) expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    }
    expect(Object.fromEntries(codes)).toEqual({
      500: "internal_server_error",
      502: "bad_gateway",
      503: "service_unavailable",
      504: "gateway_timeout",
      529: "service_overload",
    });
  });

  it("inject applies to the first `times` matching requests only, and clear removes rules", async () => {
    const sandbox = await start({});
    sandbox.faults.inject({ method: "get", path: "/v1/users", status: 503, times: 2 });
    sandbox.faults.inject({ path: "/v1/users/me", status: 500, times: 5 });
    expect((await rawCall(sandbox, "GET", "/v1/users")).status).toBe(503);
    expect((await rawCall(sandbox, "POST", "/v1/users")).status).toBe(400);
    expect((await rawCall(sandbox, "GET", "/v1/users")).status).toBe(503);
    expect((await rawCall(sandbox, "GET", "/v1/users")).status).toBe(200);
    expect((await rawCall(sandbox, "GET", "/v1/users/me")).status).toBe(500);
    sandbox.faults.clear();
    expect((await rawCall(sandbox, "GET", "/v1/users/me")).status).toBe(200);
  });

  it("a body rule answers its text as is; a mutate rule serves the real answer rewritten, after auth", async () => {
    const sandbox = await start({});
    sandbox.faults.inject({ path: "/v1/users", kind: "body", body: '{"object":"list","results":[{', times: 1 });
    const truncated = await fetch(`${sandbox.url}/v1/users`, { headers: { authorization: `Bearer ${sandbox.token}`, "notion-version": "2025-09-03" } });
    expect([truncated.status, truncated.headers.get("content-type"), await truncated.text()]).toEqual([
      200,
      "application/json; charset=utf-8",
      '{"object":"list","results":[{',
    ]);
    sandbox.faults.inject({ path: "/v1/users/me", kind: "mutate", mutate: (json) => ({ ...(json as object), name: "rewritten" }), times: 2 });
    expect((await rawCall(sandbox, "GET", "/v1/users/me", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const mutated = await rawCall(sandbox, "GET", "/v1/users/me");
    expect([mutated.status, mutated.json()["name"], mutated.json()["object"]]).toEqual([200, "rewritten", "user"]);
    expect(() => sandbox.faults.inject({ kind: "body", times: 1 })).toThrow(/FaultRule.body is required/);
  });

  it("latencyMs delays every request", async () => {
    const sandbox = await start({ latencyMs: 120 });
    const started = Date.now();
    await rawCall(sandbox, "GET", "/v1/users/me");
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});
